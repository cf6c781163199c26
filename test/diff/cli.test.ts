import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { MAX_COMMENT, diffMarkdown } from "../../lib/cli/diff-markdown";
import { cli } from "../support/cli";

type Json = Record<string, unknown>;
interface Doc {
  identities: { name: string; subjects: Json[]; grants: Json[] }[];
}

const ROOT = join(__dirname, "..", "..");
const EXAMPLE = join(ROOT, "examples", "platform.yaml");
const example = () => parse(readFileSync(EXAMPLE, "utf8")) as Doc;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "trustplane-diff-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a document (or text) to the temporary folder; returns its path. */
function write(name: string, content: Doc | Json | string): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : stringify(content));
  return path;
}

/** The example with api-deploy's second selector letting in `dev` too. */
function widened(): Doc {
  const doc = example();
  doc.identities[0]!.subjects[1]!.environment = { oneOf: ["staging", "qa", "dev"] };
  return doc;
}

/** Runs `git` in `cwd` quietly, as a test author with no git configuration of their own. */
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd,
    stdio: "pipe",
  });

/** The CLI run with the current folder `cwd`, as `git show` reads revisions from there. */
async function cliIn(cwd: string, ...argv: string[]) {
  const was = process.cwd();
  process.chdir(cwd);
  try {
    return await cli(...argv);
  } finally {
    process.chdir(was);
  }
}

/**
 * `trustplane diff` end to end: reading files and git revisions, the exit codes, the three
 * outputs and their escaping, usage errors. Does NOT prove how a Markdown renderer shows the
 * comment (the escaping is checked on the text), nor that git versions other than this
 * machine's print the same messages.
 */
describe("trustplane diff", () => {
  it("says there is no change between a file and itself", async () => {
    const run = await cli("diff", EXAMPLE, EXAMPLE);
    assert.equal(run.code, 0, run.err);
    assert.equal(
      run.out,
      `${EXAMPLE} → ${EXAMPLE}\nno change: every token is decided as before, and no permission or resource changes`,
    );
    assert.equal((await cli("diff", EXAMPLE, EXAMPLE, "--fail-on-widen")).code, 0);
  });

  it("exits 1 with --fail-on-widen when a token gains access, 0 without it", async () => {
    const head = write("wider.yaml", widened());
    const run = await cli("diff", EXAMPLE, head);
    assert.equal(run.code, 0, run.err);
    assert.deepEqual(run.out.split("\n").slice(1, 6), [
      "1 identity gains access: api-deploy (aws-prod, azure-prod, gcp-prod)",
      "resources: 1 added",
      "",
      "api-deploy",
      '  gains, by its selector environment in ["dev", "qa", "staging"] and repository = "acme/api":',
    ]);
    assert.equal((await cli("diff", EXAMPLE, head, "--fail-on-widen")).code, 1);
    // the other way round access narrows: the gate lets it pass
    const narrower = await cli("diff", head, EXAMPLE, "--fail-on-widen");
    assert.equal(narrower.code, 0, narrower.err);
    assert.match(narrower.out, /^1 identity loses access: api-deploy/m);
  });

  it("prints the diff's JSON with --json", async () => {
    const run = await cli("diff", EXAMPLE, write("wider-json.yaml", widened()), "--json");
    const out = JSON.parse(run.out) as Json & { changes: Json[] };
    assert.deepEqual(Object.keys(out), [
      "widens",
      "narrows",
      "changes",
      "permissions",
      "resources",
      "notes",
    ]);
    assert.equal(out.widens, true);
    assert.deepEqual(
      out.changes.map((c) => [c.identity, c.target, c.change, (c.token as Json).environment]),
      [
        ["api-deploy", "aws-prod", "gained", "dev"],
        ["api-deploy", "azure-prod", "gained", "dev"],
        ["api-deploy", "gcp-prod", "gained", "dev"],
      ],
    );
  });

  describe("git revisions", () => {
    let repo: string;
    before(() => {
      repo = mkdtempSync(join(tmpdir(), "trustplane-diff-git-"));
      git(repo, "init", "-q");
      writeFileSync(join(repo, "intent.yaml"), readFileSync(EXAMPLE));
      git(repo, "add", "intent.yaml");
      git(repo, "commit", "-qm", "base");
      writeFileSync(join(repo, "intent.yaml"), stringify(widened()));
    });
    after(() => rmSync(repo, { recursive: true, force: true }));

    it("reads REV:PATH with git show, from the current folder", async () => {
      const run = await cliIn(repo, "diff", "HEAD:intent.yaml", "intent.yaml", "--fail-on-widen");
      assert.equal(run.code, 1, run.err);
      assert.match(run.out, /^HEAD:intent\.yaml → intent\.yaml\n1 identity gains access/);
      // the index, as git names it: nothing staged, so the same as HEAD
      const staged = await cliIn(repo, "diff", ":intent.yaml", "HEAD:./intent.yaml");
      assert.match(staged.out, /^no change/m);
    });

    it("exits 2 naming a revision git does not know, or a path not in it", async () => {
      const unknown = await cliIn(repo, "diff", "origin/nope:intent.yaml", "intent.yaml");
      assert.equal(unknown.code, 2);
      assert.equal(
        unknown.err,
        "trustplane: cannot read BASE origin/nope:intent.yaml: git show: invalid object name 'origin/nope'.",
      );
      const missing = await cliIn(repo, "diff", "HEAD:other.yaml", "intent.yaml");
      assert.equal(missing.code, 2);
      assert.match(
        missing.err,
        /^trustplane: cannot read BASE HEAD:other\.yaml: git show: path 'other\.yaml' does not exist in 'HEAD'$/,
      );
      const outside = await cli("diff", "HEAD:intent.yaml", EXAMPLE);
      assert.equal(outside.code, 2);
      assert.match(outside.err, /^trustplane: cannot read BASE HEAD:intent\.yaml: git show: /);
    });

    it("refuses a revision that git would read as an option, and a REV: without a path", async () => {
      const option = await cliIn(repo, "diff", "--output=x:intent.yaml", "intent.yaml");
      assert.equal(option.code, 2);
      // node's parser takes it for an option of ours: refused before git is run
      assert.match(option.err, /^trustplane: unknown option --output/);
      // after --, it is a revision: refused before git is run, which would write the file x
      const dashed = await cliIn(repo, "diff", "--", "--output=x:intent.yaml", "intent.yaml");
      assert.equal(dashed.code, 2);
      assert.equal(
        dashed.err,
        'trustplane: cannot read BASE --output=x:intent.yaml: the revision "--output=x" starts with "-", which git reads as an option',
      );
      assert.equal(existsSync(join(repo, "x")), false);
      const empty = await cliIn(repo, "diff", "HEAD:", "intent.yaml");
      assert.equal(empty.code, 2);
      assert.equal(
        empty.err,
        `trustplane: cannot read BASE HEAD:: name a file after the ':' of "HEAD:"`,
      );
    });

    it("reads a file whose name looks like REV:PATH as the file", async () => {
      writeFileSync(join(repo, "HEAD:intent.yaml"), stringify(widened()));
      try {
        const run = await cliIn(repo, "diff", "HEAD:intent.yaml", "intent.yaml");
        assert.match(run.out, /^no change/m);
      } finally {
        rmSync(join(repo, "HEAD:intent.yaml"));
      }
    });
  });

  describe("a HEAD with errors", () => {
    const broken = () => {
      const doc = example();
      doc.identities[1]!.grants[0]!.target = "aws-nope";
      return doc;
    };

    it("lists them on stderr; exit 1 with --fail-on-widen, else 0", async () => {
      const head = write("broken.yaml", broken());
      const run = await cli("diff", EXAMPLE, head);
      assert.equal(run.code, 0);
      assert.equal(run.out, "");
      assert.match(run.err, /broken\.yaml:\d+:\d+: ✖ error unknown_target: /);
      assert.equal((await cli("diff", EXAMPLE, head, "--fail-on-widen")).code, 1);
      const json = JSON.parse((await cli("diff", EXAMPLE, head, "--json")).out) as Json;
      assert.equal(json.ok, false);
      assert.deepEqual(
        (json.issues as Json[]).filter((i) => i.severity === "error").map((i) => i.code),
        ["unknown_target"],
      );
      const md = await cli("diff", EXAMPLE, head, "--markdown");
      assert.match(
        md.out,
        /\*\*HEAD has 1 error\*\*, so it cannot be compared:\n\n- `unknown_target` at `identities\[1\]\.grants\[0\]\.target` \(line \d+\): /,
      );
    });

    it("compares a BASE with errors as trusting nothing, listing them on stderr", async () => {
      const run = await cli("diff", write("broken-base.yaml", broken()), EXAMPLE);
      assert.equal(run.code, 0);
      assert.match(run.err, /broken-base\.yaml:\d+:\d+: ✖ error unknown_target/);
      assert.match(run.out, /^note: BASE has 1 error, so it is compared as trusting nothing/m);
    });
  });

  it("exits 2 for an unreadable version, and for usage errors", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["diff", EXAMPLE, join(dir, "none.yaml")],
        /^trustplane: cannot read HEAD .*none\.yaml: no such file$/,
      ],
      [
        ["diff", EXAMPLE, write("bad.yaml", "identities: [")],
        /bad\.yaml:\d+:\d+: ✖ error invalid_syntax/,
      ],
      [["diff", EXAMPLE], /^trustplane: diff needs BASE and HEAD/],
      [["diff", EXAMPLE, EXAMPLE, EXAMPLE], /^trustplane: unexpected argument/],
      [["diff", "-", "-"], /^trustplane: only one of BASE and HEAD can be -/],
      [
        ["diff", EXAMPLE, EXAMPLE, "--token", "t.json"],
        /^trustplane: diff takes --json or --markdown, and --fail-on-widen/,
      ],
      [
        ["diff", EXAMPLE, EXAMPLE, "--json", "--markdown"],
        /^trustplane: --markdown and --json are exclusive/,
      ],
      [["plan", EXAMPLE, "--fail-on-widen"], /^trustplane: --fail-on-widen belongs to diff/],
    ];
    for (const [argv, err] of cases) {
      const run = await cli(...argv);
      assert.equal(run.code, 2, argv.join(" "));
      assert.match(run.err, err, argv.join(" "));
    }
  });

  it("escapes hostile claim names and values in the Markdown comment", async () => {
    // (line breaks are refused in claim values: the document has errors then)
    const hostile = "prod|`uction`<img src=x onerror=alert(1)> ## owned *em* [a](b) @team $x$";
    const claim = "team<b>|`";
    const doc = (values: string[]) => ({
      version: 1,
      issuers: { idp: { kind: "oidc", url: "https://idp.example", claims: [claim] } },
      targets: {
        "gcp-prod": { cloud: "gcp", projectId: "acme-prod", projectNumber: "123456789012" },
      },
      identities: [
        {
          name: "deploy",
          issuer: "idp",
          subjects: values.map((v) => ({ [claim]: v })),
          grants: [{ target: "gcp-prod", roles: ["roles/viewer"] }],
        },
      ],
    });
    const run = await cli(
      "diff",
      write("plain.yaml", doc(["platform"])),
      write("hostile.yaml", doc(["platform", hostile])),
      "--markdown",
    );
    assert.equal(run.code, 0, run.err);
    const lines = run.out.split("\n");
    assert.ok(
      lines.some((l) => l.startsWith("- `deploy` gains access in `gcp-prod`: ")),
      run.out,
    );
    for (const line of lines) {
      assert.match(
        line,
        /^(|#### .*|##### `deploy`|### trustplane diff: .*|\*\*Widens\*\* .*|- .*| {2}- .*|`trustplane diff --json` .*)$/,
      );
      const prose = outsideCode(line).replace(/\*\*Widens\*\*/, "");
      assert.doesNotMatch(prose, /[<>]/, line);
      assert.doesNotMatch(prose, /(?<!\\)[|*_[\]@$`]/, line);
    }
    // the summary in a code span, as it is: its fence longer than the backticks in it
    assert.ok(run.out.includes(`\`\`${claim} = ${JSON.stringify(hostile)}\`\``), run.out);

    // a HEAD with errors: their messages quote the value, as escaped text
    const refused = await cli(
      "diff",
      write("plain-again.yaml", doc(["platform"])),
      write("refused.yaml", doc([`${hostile}\n# owned`])),
      "--markdown",
    );
    const error = refused.out.split("\n").find((l) => l.startsWith("- `invalid_value`"));
    assert.ok(error, refused.out);
    assert.doesNotMatch(outsideCode(error), /[<>]|(?<!\\)[|*_[\]@$`]/);
    assert.ok(error.includes("&lt;img src=x onerror=alert(1)&gt;"), error);
  });
});

describe("diffMarkdown", () => {
  it("cuts a comment GitHub would refuse (over 65,536 characters) at a line, saying so", () => {
    const added = Array.from({ length: 2000 }, (_, i) => ({
      type: "aws:iam/role:Role",
      name: `svc-${i}/aws-prod`,
    }));
    const resources = { added, removed: [], changed: [] };
    const diff = {
      widens: false,
      narrows: false,
      changes: [],
      permissions: [],
      resources,
      notes: [],
    };
    const comment = diffMarkdown({ base: "a.yaml", head: "b.yaml", diff });
    assert.ok(comment.length <= MAX_COMMENT, String(comment.length));
    const lines = comment.split("\n");
    assert.equal(lines.at(-1), "… cut short to fit a comment: `trustplane diff` prints all of it.");
    assert.match(lines.at(-3)!, /^- added `aws:iam\/role:Role` `svc-\d+\/aws-prod`$/);
    assert.ok(lines.includes("- resources: 2000 added, 0 removed, 0 replaced"));
  });
});

/** A Markdown line with its code spans taken out (CommonMark: a run of backticks to the same run). */
function outsideCode(line: string): string {
  let rest = line;
  let out = "";
  for (;;) {
    const open = /(?<!\\)`+/.exec(rest);
    if (!open) return out + rest;
    const after = rest.slice(open.index + open[0].length);
    const close = new RegExp(`(?<!\`)${open[0]}(?!\`)`).exec(after);
    assert.ok(close, `an unclosed code span in ${JSON.stringify(line)}`);
    out += rest.slice(0, open.index);
    rest = after.slice(close.index + open[0].length);
  }
}
