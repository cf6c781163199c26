import { providerAudience } from "../../backends/gcp/names";
import { AZURE_AUDIENCE } from "../../claims/issuer";
import type { AzureHandoff, GrantHandoff, IdentityHandoff } from "../model";
import type { CiRendering } from "./file";
import { headerOf, placeOf, printCiYaml, unsafeStrings } from "./file";
import type { GithubTrigger } from "./github-shape";
import { githubJobShape } from "./github-shape";
import { TERRAFORM_VERSION } from "./shape";

/** The actions a generated workflow uses, pinned to major versions in one place. */
export const ACTIONS = {
  checkout: "actions/checkout@v6",
  aws: "aws-actions/configure-aws-credentials@v6",
  azure: "azure/login@v3",
  gcp: "google-github-actions/auth@v3",
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
  const azure = h.grants.find((g): g is AzureHandoff => g.cloud === "azure");
  // azurerm asks GitHub for a token with the default audience; another one needs a token file
  const tokenStep = azure && azure.audience !== AZURE_AUDIENCE ? [azureTokenStep(azure)] : [];
  const env = azure ? terraformEnv(azure) : undefined;
  const terraform = (command: string): Step => ({
    name: `terraform ${command}`,
    run: `terraform ${command} -input=false`,
    ...(env ? { env: { ...env } } : {}),
  });
  return [
    { uses: ACTIONS.checkout },
    ...h.grants.map(loginStep),
    { uses: ACTIONS.terraform, with: { terraform_version: TERRAFORM_VERSION } },
    // GitHub's tokens live minutes: fetch a fresh one before each command that reads it
    ...tokenStep,
    terraform("init"),
    ...tokenStep.map((s) => ({ ...s })),
    terraform("plan"),
  ];
}

function loginStep(g: GrantHandoff): Step {
  switch (g.cloud) {
    case "aws":
      return {
        name: `AWS credentials for ${g.target}`,
        uses: ACTIONS.aws,
        with: {
          "role-to-assume": g.roleArn,
          "aws-region": g.region,
          // written even when it is the action's default, so the file shows what the role trusts
          audience: g.audience,
          "role-session-name": g.sessionName,
        },
      };
    case "azure":
      return {
        name: `Azure login for ${g.target}`,
        uses: ACTIONS.azure,
        with: {
          "client-id": g.clientId,
          "tenant-id": g.tenantId,
          "subscription-id": g.subscriptionId,
          ...(g.audience !== AZURE_AUDIENCE ? { audience: g.audience } : {}),
        },
      };
    case "gcp":
      return {
        name: `Google Cloud credentials for ${g.target}`,
        uses: ACTIONS.gcp,
        with: {
          workload_identity_provider: g.workloadIdentityProvider,
          ...(g.serviceAccountEmail !== undefined
            ? { service_account: g.serviceAccountEmail }
            : {}),
          // the action's default audience is the provider's name behind https://iam.googleapis.com/
          ...(g.audience !== providerAudience(g.workloadIdentityProvider, true)
            ? { audience: g.audience }
            : {}),
        },
      };
  }
}

/** What azurerm (provider and backend) reads to authenticate with the job's OIDC token. */
function terraformEnv(g: AzureHandoff): Record<string, string> {
  return {
    ARM_USE_OIDC: "true",
    ARM_CLIENT_ID: g.clientId,
    ARM_TENANT_ID: g.tenantId,
    ARM_SUBSCRIPTION_ID: g.subscriptionId,
  };
}

/**
 * Writes a token with the grant's audience under $RUNNER_TEMP and points azurerm at it. The
 * audience reaches the shell as an environment variable, never as script text.
 */
function azureTokenStep(g: AzureHandoff): Step {
  const file = `$RUNNER_TEMP/${g.target}.jwt`;
  return {
    name: `Azure token for ${g.target}`,
    shell: "bash",
    env: { AUDIENCE: g.audience },
    run: [
      "umask 077",
      `url="$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$(jq -rn --arg aud "$AUDIENCE" '$aud | @uri')"`,
      `curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$url" | jq -er .value > "${file}"`,
      `echo "ARM_OIDC_TOKEN_FILE_PATH=${file}" >> "$GITHUB_ENV"`,
    ].join("\n"),
  };
}
