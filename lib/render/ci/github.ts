import { backendOf } from "../../backends";
import type { GrantHandoff, IdentityHandoff } from "../model";
import type { CiRendering } from "./file";
import { headerOf, placeOf, printCiYaml, unsafeStrings } from "./file";
import type { GithubTrigger } from "./github-shape";
import { githubJobShape } from "./github-shape";
import { TERRAFORM_VERSION } from "./shape";

/** The actions every generated workflow uses, pinned to major versions; each cloud's login is its backend's. */
export const ACTIONS = {
  checkout: "actions/checkout@v6",
  terraform: "hashicorp/setup-terraform@v4",
} as const;

/** A step of a job, as the workflow syntax writes it. */
type Step = Readonly<Record<string, unknown>>;

/**
 * The GitHub Actions workflow that runs `terraform plan` for a `ci: github` identity, at
 * `.github/workflows/trustplane-<identity>.yml`: one job `terraform` whose trigger, environment
 * and name give it a token one of the identity's selectors accepts; login actions exchange the
 * token for each grant (the Terraform files read the ambient credentials). Never throws on data:
 * a selector no job can meet, or a value GitHub would evaluate, is an issue.
 */
export function githubWorkflow(h: IdentityHandoff): CiRendering {
  if (h.ci !== "github") throw new Error(`unreachable: githubWorkflow on a ${h.ci} hand-off`);
  const { shape, issues } = githubJobShape(h);
  if (!shape) return { issues };
  const body = {
    name: shape.workflowName ?? `trustplane ${h.name}`,
    on: trigger(shape.on),
    jobs: {
      terraform: {
        "runs-on": "ubuntu-latest",
        permissions: { "id-token": "write", contents: "read" },
        ...(shape.environment !== undefined ? { environment: shape.environment } : {}),
        steps: steps(h),
      },
    },
  };
  // GitHub evaluates `${{ }}` in nearly every string; the workflow never needs one of its own
  const refused = unsafeStrings(h, body, (text) =>
    text.includes("${{") ? "GitHub would evaluate the `${{` in it as an expression" : undefined,
  );
  if (refused.length) return { issues: refused };
  const header = headerOf(h, shape, `Commit it to ${placeOf(shape, "repository")}`);
  const path = `.github/workflows/trustplane-${h.name}.yml`;
  return { file: { path, text: printCiYaml(header, body) }, issues: [] };
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

function steps(h: IdentityHandoff): Step[] {
  const github = (g: GrantHandoff) => backendOf(g.cloud).handoff.github;
  // what each Terraform command needs, fetched again before each (GitHub's tokens live minutes)
  const before = h.grants.flatMap((g) => github(g).beforeTerraform(g));
  const env = Object.assign({}, ...h.grants.map((g) => github(g).terraformEnv(g))) as Record<
    string,
    string
  >;
  const terraform = (command: string): Step => ({
    name: `terraform ${command}`,
    run: `terraform ${command} -input=false`,
    ...(Object.keys(env).length ? { env: { ...env } } : {}),
  });
  return [
    { uses: ACTIONS.checkout },
    ...h.grants.map((g) => github(g).login(g)),
    { uses: ACTIONS.terraform, with: { terraform_version: TERRAFORM_VERSION } },
    ...before,
    terraform("init"),
    ...before.map((s) => ({ ...s })),
    terraform("plan"),
  ];
}
