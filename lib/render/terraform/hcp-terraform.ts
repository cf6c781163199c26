import { backendOf } from "../../backends";
import type { WorkspaceVariable } from "../../backends/handoff";
import type { Matcher } from "../../claims/matcher";
import type { Issue } from "../../errors";
import { error } from "../../errors";
import { shortHash } from "../../internal/names";
import type { HclBody, HclValue } from "../hcl";
import { expression } from "../hcl";
import type { IdentityHandoff } from "../model";

export type { WorkspaceVariable } from "../../backends/handoff";

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
    description,
  });
  return h.grants.flatMap((g) => backendOf(g.cloud).handoff.workspaceVariables(g, phase, variable));
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

/** The variables of one HCP Terraform workspace, from every identity whose runs there it trusts. */
export interface WorkspaceHandoff {
  /** The workspace every selector of these identities pins; unknown when they pin none. */
  readonly workspace?: { readonly organization: string; readonly name: string };
  readonly identities: readonly string[];
  readonly variables: readonly WorkspaceVariable[];
  /** Where its files go: `hcp-terraform/<organization>/<workspace>`, or the identity's folder. */
  readonly directory: string;
}

/**
 * Groups the `hcp-terraform` hand-offs by the workspace their selectors pin, so one workspace
 * gets one set of variables (a plan and an apply identity share TFC_*_PROVIDER_AUTH); two
 * identities giving one variable different values is an issue.
 */
export function workspaceHandoffs(
  handoffs: readonly IdentityHandoff[],
  issues: Issue[],
): WorkspaceHandoff[] {
  const groups = new Map<string, { workspace?: Workspace; members: IdentityHandoff[] }>();
  // by name, not document order: reordering identities must not change a byte of the files
  const members = handoffs
    .filter((h) => h.ci === "hcp-terraform")
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const h of members) {
    const workspace = pinnedWorkspace(h);
    const key = workspace ? JSON.stringify(workspace) : `identity ${h.name}`;
    const group = groups.get(key) ?? { ...(workspace ? { workspace } : {}), members: [] };
    group.members.push(h);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ workspace, members }) => {
    const merged = new Map<string, { variable: WorkspaceVariable; from: string[] }>();
    for (const h of members) {
      for (const v of workspaceVariables(h)) {
        const known = merged.get(v.key);
        if (!known) merged.set(v.key, { variable: v, from: [h.name] });
        else if (known.variable.value === v.value) known.from.push(h.name);
        else {
          issues.push(
            error(
              "invalid_value",
              h.path,
              `${h.name} and ${known.from[0]!} both set ${v.key} on the workspace ${workspace ? `${workspace.organization}/${workspace.name}` : ""}, to different values; ${/_(RUN|PLAN|APPLY)_/.test(v.key) ? "pin terraform_run_phase (plan or apply) in their selectors" : `HCP Terraform takes one ${v.key} per workspace, so hand this grant off from one identity (handoff.targets) that trusts both run phases`}`,
            ),
          );
        }
      }
    }
    const variables = [...merged.values()]
      .map(({ variable, from }) => ({
        ...variable,
        description: `${variable.description} (trustplane: ${from.join(", ")})`,
      }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return {
      ...(workspace ? { workspace } : {}),
      identities: members.map((h) => h.name),
      variables,
      directory: workspace ? workspaceDirectory(workspace) : members[0]!.name,
    };
  });
}

type Workspace = NonNullable<WorkspaceHandoff["workspace"]>;

/** A folder per workspace; names outside HCP Terraform's alphabet never become paths. */
function workspaceDirectory({ organization, name }: Workspace): string {
  const safe = (s: string) => /^[A-Za-z0-9_-]{1,90}$/.test(s);
  return safe(organization) && safe(name)
    ? `hcp-terraform/${organization}/${name}`
    : `hcp-terraform/workspace-${shortHash(`${organization}\n${name}`, 8)}`;
}

/**
 * The variables as `tfe_variable` resources, for a platform repository that manages the
 * workspace with the tfe provider: the workspace looked up by name when the selectors pin it,
 * its ID an input variable otherwise.
 */
export function workspaceVariablesBody(w: WorkspaceHandoff): HclBody {
  const label =
    w.workspace && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(w.workspace.name)
      ? w.workspace.name
      : "workspace";
  const lookup: HclBody = w.workspace
    ? [
        {
          block: "data",
          labels: ["tfe_workspace", label],
          body: [
            { attribute: "name", value: w.workspace.name },
            { attribute: "organization", value: w.workspace.organization },
          ],
        },
      ]
    : [
        {
          block: "variable",
          labels: ["workspace_id"],
          body: [
            { attribute: "type", value: expression("string") },
            {
              attribute: "description",
              value: `The ID of the workspace whose runs ${w.identities.join(", ")} trusts`,
            },
          ],
        },
      ];
  const workspaceId: HclValue = w.workspace
    ? expression(`data.tfe_workspace.${label}.id`)
    : expression("var.workspace_id");
  return [
    ...lookup,
    ...w.variables.map((v) => ({
      block: "resource",
      labels: ["tfe_variable", `${label}_${v.key.toLowerCase()}`],
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
function pinnedWorkspace(h: IdentityHandoff): Workspace | undefined {
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
