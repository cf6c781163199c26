import type { Matcher } from "../../claims/matcher";
import type { HclBody, HclValue } from "../hcl";
import { expression } from "../hcl";
import type { GrantHandoff, IdentityHandoff } from "../model";

/** One HCP Terraform workspace variable. */
export interface WorkspaceVariable {
  readonly key: string;
  readonly value: string;
  readonly category: "env";
  readonly sensitive: false;
  readonly description: string;
}

/** The audiences HCP Terraform requests unless told otherwise. */
const TFC_AUDIENCE = { aws: "aws.workload.identity", azure: "api://AzureADTokenExchange" };

/**
 * The workspace variables that turn on HCP Terraform's dynamic provider credentials for each
 * grant: the role, client ID or provider to use, for the run phases the identity's selectors
 * accept (`PLAN_`/`APPLY_` when they pin one phase, `RUN_` otherwise), and the audience when
 * the grant expects another than HCP Terraform's default.
 */
export function workspaceVariables(h: IdentityHandoff): WorkspaceVariable[] {
  const phase = runPhase(h);
  const variable = (key: string, value: string, description: string): WorkspaceVariable => ({
    key,
    value,
    category: "env",
    sensitive: false,
    description: `${description} (trustplane: ${h.name})`,
  });
  return h.grants.flatMap((g) => cloudVariables(g, phase, variable));
}

function cloudVariables(
  g: GrantHandoff,
  phase: string,
  variable: (key: string, value: string, description: string) => WorkspaceVariable,
): WorkspaceVariable[] {
  switch (g.cloud) {
    case "aws":
      return [
        variable("TFC_AWS_PROVIDER_AUTH", "true", "dynamic AWS credentials"),
        variable(`TFC_AWS_${phase}_ROLE_ARN`, g.roleArn, `the role assumed in ${g.target}`),
        ...(g.audience === TFC_AUDIENCE.aws
          ? []
          : [
              variable(
                "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE",
                g.audience,
                "the role trusts this aud",
              ),
            ]),
      ];
    case "azure":
      return [
        variable("TFC_AZURE_PROVIDER_AUTH", "true", "dynamic Azure credentials"),
        variable(`TFC_AZURE_${phase}_CLIENT_ID`, g.clientId, `the managed identity in ${g.target}`),
        ...(g.audience === TFC_AUDIENCE.azure
          ? []
          : [
              variable(
                "TFC_AZURE_WORKLOAD_IDENTITY_AUDIENCE",
                g.audience,
                "the federated credentials expect this aud",
              ),
            ]),
      ];
    case "gcp": {
      const provider = g.workloadIdentityProvider;
      return [
        variable("TFC_GCP_PROVIDER_AUTH", "true", "dynamic GCP credentials"),
        variable("TFC_GCP_WORKLOAD_PROVIDER_NAME", provider, `the provider in ${g.target}`),
        ...(g.serviceAccountEmail === undefined
          ? [
              variable(
                "TFC_GCP_PRINCIPAL_TYPE",
                "workload_pool",
                "roles are bound to the federated principal",
              ),
            ]
          : [
              variable(
                `TFC_GCP_${phase}_SERVICE_ACCOUNT_EMAIL`,
                g.serviceAccountEmail,
                `the service account impersonated in ${g.target}`,
              ),
            ]),
        // HCP Terraform's default is the provider's name without `https:`
        ...(g.audience === `//iam.googleapis.com/${provider}`
          ? []
          : [
              variable(
                "TFC_GCP_WORKLOAD_IDENTITY_AUDIENCE",
                g.audience,
                "the provider allows this aud",
              ),
            ]),
      ];
    }
  }
}

/** `PLAN` or `APPLY` when every selector pins that run phase; `RUN` otherwise. */
function runPhase(h: IdentityHandoff): "PLAN" | "APPLY" | "RUN" {
  const phases = new Set(h.selectors.map((s) => exact(s.claims.get("terraform_run_phase"))));
  const [only] = [...phases];
  return phases.size === 1 && (only === "plan" || only === "apply")
    ? (only.toUpperCase() as "PLAN" | "APPLY")
    : "RUN";
}

const exact = (m: Matcher | undefined) => (m?.kind === "exact" ? m.value : undefined);

/**
 * The variables as `tfe_variable` resources, for a platform repository that manages the
 * workspace with the tfe provider. The workspace is looked up by name when every selector pins
 * one organization and workspace; otherwise its ID is an input variable.
 */
export function workspaceVariablesBody(
  h: IdentityHandoff,
  variables: readonly WorkspaceVariable[],
): HclBody {
  const workspace = pinnedWorkspace(h);
  const lookup: HclBody = workspace
    ? [
        {
          block: "data",
          labels: ["tfe_workspace", h.name],
          body: [
            { attribute: "name", value: workspace.name },
            { attribute: "organization", value: workspace.organization },
          ],
        },
      ]
    : [
        {
          block: "variable",
          labels: [`${h.name.replace(/-/g, "_")}_workspace_id`],
          body: [
            { attribute: "type", value: expression("string") },
            {
              attribute: "description",
              value: `The ID of the workspace whose runs ${h.name} trusts`,
            },
          ],
        },
      ];
  const workspaceId: HclValue = workspace
    ? expression(`data.tfe_workspace.${h.name}.id`)
    : expression(`var.${h.name.replace(/-/g, "_")}_workspace_id`);
  return [
    ...lookup,
    ...variables.map((v) => ({
      block: "resource",
      labels: ["tfe_variable", `${h.name}_${v.key.toLowerCase()}`],
      body: [
        { attribute: "workspace_id", value: workspaceId },
        { attribute: "key", value: v.key },
        { attribute: "value", value: v.value },
        { attribute: "category", value: v.category },
        { attribute: "description", value: v.description },
      ],
    })),
  ];
}

/** The organization and workspace every selector pins exactly, if they all pin the same. */
function pinnedWorkspace(h: IdentityHandoff): { organization: string; name: string } | undefined {
  const pins = new Set(
    h.selectors.map((s) =>
      JSON.stringify([
        exact(s.claims.get("terraform_organization_name")),
        exact(s.claims.get("terraform_workspace_name")),
      ]),
    ),
  );
  if (pins.size !== 1) return undefined;
  const [organization, name] = JSON.parse([...pins][0]!) as [string | null, string | null];
  return organization && name ? { organization, name } : undefined;
}
