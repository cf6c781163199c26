import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { MANIFEST } from "../../lib/cli/commit";
import { placeholderText } from "../../lib/render/model";
import { cli } from "../support/cli";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const GOLDEN = join(__dirname, "..", "golden", "handoff");

/** The hand-off files under `dir`: render's manifest is bookkeeping, not one of them. */
const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((f) => f !== MANIFEST)
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

  it("--strict writes nothing and exits 1 while a placeholder remains, and writes with --outputs", async () => {
    const intent = join(EXAMPLES, "gitlab.yaml");
    const out = join(dir, "strict");
    const refused = await cli("render", intent, "--out", out, "--strict");
    assert.equal(refused.code, 1);
    assert.equal(
      refused.err,
      [
        "trustplane: clientId of shop-deploy in azure-prod is known after pulumi up",
        "trustplane: --strict: 1 value is known only after pulumi up, so nothing was written; pass each stack's outputs with --outputs",
      ].join("\n"),
    );
    assert.equal(existsSync(out), false);
    const outputs = join(dir, "outputs.json");
    const client = "9a8b7c6d-0000-4000-8000-000000000001";
    writeFileSync(
      outputs,
      JSON.stringify({ identities: { "shop-deploy": { "azure-prod": { clientId: client } } } }),
    );
    const filled = await cli("render", intent, "--out", out, "--strict", "--outputs", outputs);
    assert.equal(filled.code, 0, filled.err);
    assert.equal(filled.err, "");
  });

  it("refuses --outputs whose values are not what the stack exports, naming the file", async () => {
    const outputs = join(dir, "outputs.json");
    writeFileSync(
      outputs,
      JSON.stringify({
        identities: { "shop-deploy": { "azure-prod": { clientId: "my-client" } } },
      }),
    );
    const run = await cli(
      "render",
      join(EXAMPLES, "gitlab.yaml"),
      "--out",
      join(dir, "o"),
      "--outputs",
      outputs,
    );
    assert.equal(run.code, 2);
    assert.equal(
      run.err,
      `trustplane: ${outputs} reports clientId "my-client" for shop-deploy in azure-prod, which is not a GUID: pass the outputs of the stack that deployed it`,
    );
    assert.equal(existsSync(join(dir, "o")), false);
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
      [["--out", notJson], `trustplane: cannot write ${notJson}: it is a file, not a folder`],
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
      /^trustplane: --out, --outputs, --force, --format and --strict belong to render/,
    );
    assert.equal((await cli("render", intent)).code, 2);
  });

  describe("existing files, removed identities and failures (issue 10, items 1 and 2)", () => {
    const platform = join(EXAMPLES, "platform.yaml");
    /** The platform example without its second identity (web-deploy). */
    const withoutWeb = () => {
      const doc = parseYaml(readFileSync(platform, "utf8")) as { identities: { name: string }[] };
      doc.identities = doc.identities.filter((i) => i.name !== "web-deploy");
      const path = join(dir, "without-web.yaml");
      writeFileSync(path, stringify(doc));
      return path;
    };
    const snapshot = (root: string) =>
      Object.fromEntries(files(root).map((f) => [f, readFileSync(join(root, f), "utf8")]));

    it("re-renders over its own files, keeps the user's, and removes a removed identity's", async () => {
      const out = join(dir, "out");
      assert.equal((await cli("render", platform, "--out", out)).code, 0);
      writeFileSync(join(out, "README.md"), "the team's own file\n");
      assert.equal((await cli("render", platform, "--out", out)).code, 0, "its own files");
      const again = await cli("render", withoutWeb(), "--out", out);
      assert.equal(again.code, 0, again.err);
      assert.deepEqual(
        files(out).filter((f) => f.startsWith("web-deploy")),
        [],
        "the removed identity's files",
      );
      assert.equal(existsSync(join(out, "web-deploy")), false, "and its emptied folders");
      assert.equal(readFileSync(join(out, "README.md"), "utf8"), "the team's own file\n");
      const manifest = JSON.parse(readFileSync(join(out, MANIFEST), "utf8")) as { files: string[] };
      assert.deepEqual(
        manifest.files,
        files(out).filter((f) => f !== "README.md"),
      );
    });

    it("refuses to replace a file it did not write, listing each; --force replaces them", async () => {
      const out = join(dir, "out");
      mkdirSync(join(out, "api-deploy"), { recursive: true });
      writeFileSync(join(out, "api-deploy", "backend.tf"), "# the team's own backend\n");
      mkdirSync(join(out, "web-deploy", "providers.tf"), { recursive: true });
      const before = snapshot(out);
      const run = await cli("render", platform, "--out", out);
      assert.equal(run.code, 2);
      assert.equal(
        run.err,
        [
          `trustplane: 2 paths in ${out} are not render's to replace (no earlier render wrote them); move them away, or give --force to replace them`,
          "  api-deploy/backend.tf",
          "  web-deploy/providers.tf (a folder where a file must be)",
        ].join("\n"),
      );
      assert.deepEqual(snapshot(out), before, "nothing written");
      rmSync(join(out, "web-deploy"), { recursive: true });
      const forced = await cli("render", platform, "--out", out, "--force");
      assert.equal(forced.code, 0, forced.err);
      assert.equal(
        readFileSync(join(out, "api-deploy", "backend.tf"), "utf8"),
        readFileSync(join(GOLDEN, "platform", "api-deploy", "backend.tf"), "utf8"),
      );
    });

    it("never follows a symbolic link out of --out, nor a tampered manifest", async () => {
      const out = join(dir, "out");
      const elsewhere = join(dir, "elsewhere");
      mkdirSync(elsewhere);
      writeFileSync(join(elsewhere, "keep"), "outside\n");
      mkdirSync(out);
      symlinkSync(elsewhere, join(out, "api-deploy"));
      const run = await cli("render", platform, "--out", out);
      assert.equal(run.code, 2);
      assert.match(run.err, /\n {2}api-deploy \(a symbolic link where a folder must be\)/);
      rmSync(join(out, "api-deploy"));
      writeFileSync(
        join(out, MANIFEST),
        JSON.stringify({ files: ["../elsewhere/keep", "/etc/hostname", "a/../../elsewhere/keep"] }),
      );
      assert.equal((await cli("render", platform, "--out", out)).code, 0);
      assert.equal(readFileSync(join(elsewhere, "keep"), "utf8"), "outside\n");
    });

    it("names a dangling --out link as such", async () => {
      const out = join(dir, "dangling");
      symlinkSync(join(dir, "missing"), out);
      const run = await cli("render", platform, "--out", out);
      assert.deepEqual(
        [run.code, run.err],
        [
          2,
          `trustplane: cannot write ${out}: it is a symbolic link to something that does not exist`,
        ],
      );
    });

    it("writes into another file system (/dev/shm), staging inside --out", async function () {
      if (!existsSync("/dev/shm")) this.skip();
      const out = mkdtempSync(join("/dev/shm", "trustplane-render-"));
      try {
        assert.equal((await cli("render", platform, "--out", join(out, "x"))).code, 0);
        assert.deepEqual(files(join(out, "x")), files(join(GOLDEN, "platform")));
        assert.deepEqual(readdirSync(out), ["x"]);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    it("undoes every move when one fails half-way: the earlier files come back", async function () {
      // root may write anywhere; an immutable folder (chattr +i) refuses even root
      const out = join(dir, "out");
      assert.equal((await cli("render", withoutWeb(), "--out", out)).code, 0);
      writeFileSync(join(out, "api-deploy", "backend.tf"), "# an older render\n");
      const before = snapshot(out);
      // skipped, saying why in its title, where chattr +i is not available
      if (spawnSync("chattr", ["+i", join(out, "api-deploy")]).status !== 0) {
        this.test!.title += " (skipped: chattr +i is not available here)";
        this.skip();
      }
      try {
        const run = await cli("render", platform, "--out", out);
        assert.equal(run.code, 2);
        assert.match(
          run.err,
          new RegExp(
            `^trustplane: cannot write ${out}/api-deploy/\\S+: operation not permitted; nothing was changed$`,
            "i",
          ),
        );
      } finally {
        spawnSync("chattr", ["-i", join(out, "api-deploy")]);
      }
      assert.deepEqual(snapshot(out), before, "every file as it was");
      assert.deepEqual(readdirSync(out).sort(), ["api-deploy", MANIFEST].sort(), "no staging left");
    });
  });

  it("says so when no identity has a handoff section", async () => {
    const run = await cli("render", join(EXAMPLES, "pulumi-cloud.yaml"), "--out", dir);
    assert.deepEqual(
      [run.code, run.out],
      [0, "no identity has a handoff section: nothing to render"],
    );
  });
});
