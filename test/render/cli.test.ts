import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { placeholderText } from "../../lib/render/model";
import { cli } from "../support/cli";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const GOLDEN = join(__dirname, "..", "golden", "handoff");

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

/**
 * `trustplane render` end to end, in process: what it writes, what it prints, its exit codes.
 * The files' contents are proven in terraform.test.ts and ci.test.ts; this proves the CLI writes
 * exactly them, all or nothing.
 */
describe("CLI render", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "trustplane-render-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every example's hand-off as the golden files, and lists them", async () => {
    for (const example of ["platform", "gitlab", "terraform-cloud", "eks-service-account"]) {
      const out = join(dir, example);
      const run = await cli("render", join(EXAMPLES, `${example}.yaml`), "--out", out);
      assert.equal(run.code, 0, run.err);
      assert.deepEqual(files(out), files(join(GOLDEN, example)));
      for (const f of files(out)) {
        assert.equal(
          readFileSync(join(out, f), "utf8"),
          readFileSync(join(GOLDEN, example, f), "utf8"),
        );
      }
      assert.deepEqual(
        run.out.split("\n").sort(),
        files(out)
          .map((f) => join(out, f))
          .sort(),
      );
    }
  });

  it("lists each placeholder on stderr, and fills it from --outputs", async () => {
    const intent = join(EXAMPLES, "gitlab.yaml");
    const before = await cli("render", intent, "--out", dir);
    const text = placeholderText("shop-deploy", "azure-prod", "clientId");
    assert.equal(
      before.err,
      `trustplane: placeholder: clientId of shop-deploy in azure-prod is known after pulumi up; written as ${JSON.stringify(text)}; render again with --outputs <pulumi stack output --json>`,
    );
    assert.ok(readFileSync(join(dir, "shop-deploy", "backend.tf"), "utf8").includes(text));

    const client = "9a8b7c6d-0000-4000-8000-000000000001";
    const outputs = join(dir, "outputs.json");
    const summary = {
      identities: { "shop-deploy": { grants: { "azure-prod": { clientId: client } } } },
    };
    writeFileSync(outputs, JSON.stringify({ summary }));
    const after = await cli(
      "render",
      intent,
      "--out",
      join(dir, "out"),
      "--outputs",
      outputs,
      "--json",
    );
    assert.equal(after.code, 0, after.err);
    assert.equal(after.err, "");
    const body = JSON.parse(after.out) as {
      files: { path: string; bytes: number }[];
      placeholders: unknown[];
    };
    assert.deepEqual(body.placeholders, []);
    const backend = join(dir, "out", "shop-deploy", "backend.tf");
    assert.deepEqual(
      body.files.find((f) => f.path === backend),
      { path: backend, bytes: Buffer.byteLength(readFileSync(backend)) },
    );
    assert.ok(readFileSync(backend, "utf8").includes(`client_id            = "${client}"`));
  });

  it("writes nothing when the hand-off cannot be rendered, and exits 1 with the issue", async () => {
    const doc = parseYaml(readFileSync(join(EXAMPLES, "gitlab.yaml"), "utf8")) as {
      identities: { subjects: Record<string, unknown>[] }[];
    };
    // every cloud can trust this branch, but GitLab's rules have no escape for the quote
    doc.identities[0]!.subjects = [{ project_id: "4711", ref_type: "branch", ref: 'main"x' }];
    const intent = join(dir, "intent.yaml");
    writeFileSync(intent, stringify(doc));
    const out = join(dir, "out");
    const run = await cli("render", intent, "--out", out);
    assert.equal(run.code, 1);
    assert.match(run.err, /✖ error invalid_value: .*main\\"x/);
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(dir), ["intent.yaml"]);
  });

  it("exits 2 for unusable outputs files and output folders, writing nothing", async () => {
    const intent = join(EXAMPLES, "gitlab.yaml");
    const notJson = join(dir, "outputs.json");
    writeFileSync(notJson, "{");
    const cases: [string[], string][] = [
      [
        ["--out", join(dir, "a"), "--outputs", join(dir, "missing.json")],
        `trustplane: cannot read the outputs ${join(dir, "missing.json")}: no such file`,
      ],
      [
        ["--out", join(dir, "a"), "--outputs", notJson],
        `trustplane: cannot read the outputs ${notJson}: it is not JSON`,
      ],
      [["--out", notJson], `trustplane: cannot write ${notJson}: it is a file`],
    ];
    for (const [args, message] of cases) {
      const run = await cli("render", intent, ...args);
      assert.deepEqual([run.code, run.err], [2, message]);
    }
    writeFileSync(notJson, JSON.stringify({ bucket: "x" }));
    const run = await cli("render", intent, "--out", join(dir, "a"), "--outputs", notJson);
    assert.equal(run.code, 2);
    assert.match(run.err, /holds no TrustPlane outputs/);
    assert.deepEqual(readdirSync(dir), ["outputs.json"]);
  });

  it("exits 2 on usage errors", async () => {
    const intent = join(EXAMPLES, "gitlab.yaml");
    assert.match((await cli("render", intent)).err, /^trustplane: render needs --out DIR/);
    assert.match(
      (await cli("plan", intent, "--out", dir)).err,
      /^trustplane: --out, --outputs and --force belong to render/,
    );
    assert.equal((await cli("render", intent)).code, 2);
  });

  it("says so when no identity has a handoff section", async () => {
    const run = await cli("render", join(EXAMPLES, "pulumi-cloud.yaml"), "--out", dir);
    assert.deepEqual(
      [run.code, run.out],
      [0, "no identity has a handoff section: nothing to render"],
    );
  });
});
