import { decisionFindings } from "../../audit/decisions";
import type { Finding, NotCompared } from "../../audit/finding";
import type { DocumentIR, IdentityIR } from "../../ir/types";
import type { Plan } from "../../plan/types";
import type { GrantPlanOf } from "../cloud-types";
import type { AzureDeployment, DeployedCredential } from "./deployed";
import { identityId } from "./deployed";
import type { DeployedRoleAssignment } from "./role-assignments";
import { roleDefinitionGuid, roleLabel, scopeKey } from "./role-assignments";

/**
 * Compares what an Azure subscription deployed with the compiled intent: a planned identity with
 * none of its credentials deployed is `missing`; the deployed credentials of a planned identity
 * must decide `verify`'s corpus (with attacker tokens shaped to the compiled and deployed
 * subjects) as the intent does (`over-grant`, `under-grant`); credentials that match by
 * expression are `risky` and not decided, and so is any credential for GitHub `pull_request`
 * events, whatever the intent says; credentials for a declared issuer on an identity the intent
 * does not plan are `unmanaged`. When the files hold role assignments, each planned identity's
 * must be the grant's (`permissions`: an extra role or scope, a planned one missing or only under
 * a condition), the identity found by resource ID in the identity files; a planned identity
 * whose credentials are deployed but that the identity files lack is `missing` there. Without
 * role assignment files, permissions are not compared.
 */
export function auditAzure(ir: DocumentIR, plan: Plan, deployed: AzureDeployment): Finding[] {
  const findings: Finding[] = [];
  const planned = new Set<string>();
  for (const identityPlan of plan.identities) {
    const identity = ir.identities.find((i) => i.name === identityPlan.name)!;
    for (const grant of identityPlan.grants) {
      if (grant.cloud !== "azure") continue;
      const a = grant.artefacts;
      planned.add(identityId(a.subscriptionId, a.resourceGroup, a.identityName));
      findings.push(...credentialFindings(identity, ir, grant, deployed.credentials));
      if (deployed.roleAssignments)
        findings.push(...permissions(identity, grant, deployed, deployed.roleAssignments));
    }
  }
  const issuers = new Set(ir.identities.map((i) => i.issuer.url));
  for (const c of deployed.credentials) {
    if (planned.has(c.identityId) || !issuers.has(c.issuer)) continue;
    findings.push({
      kind: "unmanaged",
      cloud: "azure",
      resource: `${c.identityId}/federatedidentitycredentials/${c.name}`,
      message: `federated credential ${c.name} (subject ${JSON.stringify(c.subject)}) trusts ${c.issuer}, an issuer of the intent, on an identity no identity of the intent plans: remove it, or import it into the intent`,
    });
  }
  findings.push(...pullRequestCredentials(ir, deployed.credentials));
  return findings;
}

/**
 * What `auditAzure` could not compare in this deployment: the permissions of the intent's
 * managed identities, when no role assignment was read (none of the files, nor the stack
 * exports, lists them).
 */
export function azureNotCompared(plan: Plan, deployed: AzureDeployment): NotCompared[] {
  const planned = plan.identities.some((i) => i.grants.some((g) => g.cloud === "azure"));
  if (!planned || deployed.roleAssignments) return [];
  return [
    {
      cloud: "azure",
      what: "permissions (role assignments of the intent's managed identities)",
      why: "no role assignments read: pass az role assignment list --all and az identity list -o json",
    },
  ];
}

function credentialFindings(
  identity: IdentityIR,
  ir: DocumentIR,
  grant: GrantPlanOf<"azure">,
  credentials: readonly DeployedCredential[],
): Finding[] {
  const a = grant.artefacts;
  const id = identityId(a.subscriptionId, a.resourceGroup, a.identityName);
  const at = { cloud: "azure" as const, identity: identity.name, target: grant.target };
  const mine = credentials.filter((c) => c.identityId === id);
  if (mine.length === 0)
    return [
      {
        ...at,
        kind: "missing",
        resource: id,
        message: `managed identity ${a.identityName} has no federated credential in the files: run pulumi up, or pass its az identity federated-credential list output`,
      },
    ];
  const flexible = mine.filter((c) => c.expression !== undefined);
  if (flexible.length)
    return flexible.map((c) => ({
      ...at,
      kind: "risky",
      resource: `${id}/federatedidentitycredentials/${c.name}`,
      message: `federated credential ${c.name} matches claims by the expression ${JSON.stringify(c.expression)}, which trustplane does not evaluate: its decisions were not compared`,
    }));
  // Azure takes one audience per credential; a list is read as one credential per audience
  const deployed = mine.flatMap((c) => c.audiences.map((audience) => ({ ...c, audience })));
  const artefacts = { ...a, credentials: deployed };
  const what = `managed identity ${a.identityName}`;
  return decisionFindings(identity, ir, grant, { ...grant, artefacts }, id, what);
}

/**
 * Credentials unsafe whatever the intent says: GitHub's subject for `pull_request` events names
 * the repository and no branch, so every pull request's code can use the identity before review.
 */
function pullRequestCredentials(
  ir: DocumentIR,
  credentials: readonly DeployedCredential[],
): Finding[] {
  const github = new Map(
    ir.identities.filter((i) => i.issuer.kind === "github").map((i) => [i.issuer.url, i.issuer]),
  );
  return credentials.flatMap((c) => {
    const issuer = github.get(c.issuer);
    // an environment named pull_request is not the pull request context
    if (
      !issuer ||
      !/:pull_request$/.test(c.subject) ||
      /:environment:pull_request$/.test(c.subject)
    )
      return [];
    return [
      {
        kind: "risky" as const,
        cloud: "azure" as const,
        resource: `${c.identityId}/federatedidentitycredentials/${c.name}`,
        message: `federated credential ${c.name} trusts ${issuer.label} (${c.issuer}) for pull_request events (subject ${JSON.stringify(c.subject)}): the subject names no branch, so the code of every pull request of the repository can use the identity before anyone reviews it`,
      },
    ];
  });
}

/**
 * The identity's role assignments against the grant's: by role definition GUID and scope (both
 * case-insensitive), an assignment under a condition counting only as that.
 */
function permissions(
  identity: IdentityIR,
  grant: GrantPlanOf<"azure">,
  deployed: AzureDeployment,
  assignments: readonly DeployedRoleAssignment[],
): Finding[] {
  const a = grant.artefacts;
  const id = identityId(a.subscriptionId, a.resourceGroup, a.identityName);
  const at = { cloud: "azure" as const, identity: identity.name, target: grant.target };
  const found = deployed.identities.find((i) => i.id === id);
  if (!found) {
    // without credentials the identity is reported missing already
    if (!deployed.credentials.some((c) => c.identityId === id)) return [];
    return [
      {
        ...at,
        kind: "missing",
        resource: id,
        message: `managed identity ${a.identityName} is not in the identity files, so its role assignments were not compared: pass az identity list -o json of resource group ${a.resourceGroup}`,
      },
    ];
  }
  const out: Finding[] = [];
  const add = (resource: string, message: string) =>
    out.push({
      ...at,
      kind: "permissions",
      resource,
      message: `managed identity ${a.identityName}: ${message}`,
    });
  const key = (roleDefinitionId: string, scope: string) =>
    `${roleDefinitionGuid(roleDefinitionId)}\n${scopeKey(scope)}`;
  const principal = found.principalId.toLowerCase();
  const mine = assignments.filter((r) => r.principalId.toLowerCase() === principal);
  const plannedKeys = new Set(a.roleAssignments.map((r) => key(r.roleDefinitionId, r.scope)));
  for (const r of a.roleAssignments) {
    const same = mine.filter(
      (d) => key(d.roleDefinitionId, d.scope) === key(r.roleDefinitionId, r.scope),
    );
    const conditional = same.filter((d) => d.condition !== undefined);
    if (same.length === 0)
      add(
        id,
        `${r.role} on ${r.scope} of the grant is not assigned: run pulumi up, or pass the az role assignment list that holds the scope`,
      );
    else if (conditional.length === same.length)
      add(
        conditional[0]!.id,
        `${r.role} on ${r.scope} of the grant is assigned only under the condition ${JSON.stringify(conditional[0]!.condition)}`,
      );
  }
  for (const d of mine) {
    if (plannedKeys.has(key(d.roleDefinitionId, d.scope))) continue;
    const condition = d.condition ? ` (under the condition ${JSON.stringify(d.condition)})` : "";
    add(
      d.id,
      `${roleLabel(d)} on ${d.scope} is assigned${condition}, which the grant does not assign`,
    );
  }
  return out;
}
