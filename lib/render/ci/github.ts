import { backendOf } from "../../backends";
import type { GrantHandoff, IdentityHandoff } from "../model";
import type { CiRendering } from "./file";
import { headerOf, placeOf, printCiYaml, unsafeStrings } from "./file";
import type { GithubJobShape, GithubTrigger } from "./github-shape";
import { githubJobShapes } from "./github-shape";
import type { JobKind } from "./shape";
import { TERRAFORM_COMMANDS, TERRAFORM_VERSION } from "./shape";

/** The actions every generated workflow uses, pinned to major versions; each cloud's login is its backend's. */
export const ACTIONS = {
  checkout: "actions/checkout@v6",
  terraform: "hashicorp/setup-terraform@v4",
} as const;

/** A step of a job, as the workflow syntax writes it. */
type Step = Readonly<Record<string, unknown>>;

/**
 * The GitHub Actions workflow of a `ci: github` identity, at
 * `.github/workflows/trustplane-<identity>.yml`: a job `apply` (`terraform apply` on the pushes
 * or dispatches a selector lets in) and a job `plan` (`terraform plan` on pull requests), each
 * where a selector accepts its tokens; triggers, environment and name give each job a token one
 * of the identity's selectors accepts; login actions exchange the token for each grant (the
 * Terraform files read the ambient credentials). Never throws on data: a selector no job can
 * meet, or a value GitHub would evaluate, is an issue.
 */
export function githubWorkflow(h: IdentityHandoff): CiRendering {
  if (h.ci !== "github") throw new Error(`unreachable: githubWorkflow on a ${h.ci} hand-off`);
  const { shapes, issues } = githubJobShapes(h);
  if (!shapes.length) return { issues };
  const body = {
    name: shapes.find((s) => s.workflowName !== undefined)?.workflowName ?? `trustplane ${h.name}`,
    on: Object.assign({}, ...shapes.map((s) => trigger(s.on))) as Record<string, unknown>,
    jobs: Object.fromEntries(shapes.map((s) => [s.kind, job(h, s, shapes.length > 1)])),
  };
  // GitHub evaluates `${{ }}` in nearly every string; the workflow never needs one of its own
  const refused = unsafeStrings(h, body, (text) =>
    text.includes("${{") ? "GitHub would evaluate the `${{` in it as an expression" : undefined,
  );
  if (refused.length) return { issues: refused };
  const words = { name: (kind: JobKind) => kind, requests: "pull requests", place: "repository" };
  const header = headerOf(h, shapes, `Commit it to ${placeOf(shapes[0]!, "repository")}`, words);
  const path = `.github/workflows/trustplane-${h.name}.yml`;
  return { file: { path, text: printCiYaml(header, body) }, issues: [] };
}

/** In a workflow with both jobs, which events each runs on: pull requests are the plan job's. */
const JOB_EVENTS: Readonly<Record<JobKind, string>> = {
  apply: "github.event_name != 'pull_request'",
  plan: "github.event_name == 'pull_request'",
};

function job(h: IdentityHandoff, shape: GithubJobShape, shared: boolean): Record<string, unknown> {
  return {
    ...(shared ? { if: JOB_EVENTS[shape.kind] } : {}),
    "runs-on": "ubuntu-latest",
    // two applies of one state never overlap; the next waits instead of being cancelled
    ...(shape.kind === "apply"
      ? { concurrency: { group: `terraform-${h.name}`, "cancel-in-progress": false } }
      : {}),
    permissions: { "id-token": "write", contents: "read" },
    ...(shape.environment !== undefined ? { environment: shape.environment } : {}),
    steps: steps(h, shape.kind),
  };
}

function trigger(on: GithubTrigger): Record<string, unknown> {
  switch (on.event) {
    case "push": {
      const filters = {
        ...(on.branches ? { branches: on.branches } : {}),
        ...(on.tags ? { tags: on.tags } : {}),
      };
      return { push: filters, ...(on.dispatch ? { workflow_dispatch: {} } : {}) };
    }
    case "pull_request":
      // runs from forks get no ID token, so only the repository's own branches can plan
      return { pull_request: {} };
    case "workflow_dispatch":
      return { workflow_dispatch: {} };
  }
}

function steps(h: IdentityHandoff, kind: JobKind): Step[] {
  const github = (g: GrantHandoff) => backendOf(g.cloud).handoff.github;
  // what each Terraform command needs, fetched again before each (GitHub's tokens live minutes)
  const before = h.grants.flatMap((g) => github(g).beforeTerraform(g));
  const env = Object.assign({}, ...h.grants.map((g) => github(g).terraformEnv(g))) as Record<
    string,
    string
  >;
  const terraform = (command: string): Step[] => [
    ...before.map((s) => ({ ...s })),
    {
      name: `terraform ${command.split(" ")[0]!}`,
      run: `terraform ${command}`,
      ...(Object.keys(env).length ? { env: { ...env } } : {}),
    },
  ];
  return [
    { uses: ACTIONS.checkout },
    ...h.grants.map((g) => github(g).login(g)),
    { uses: ACTIONS.terraform, with: { terraform_version: TERRAFORM_VERSION } },
    ...TERRAFORM_COMMANDS[kind].flatMap(terraform),
  ];
}
