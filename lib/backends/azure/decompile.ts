import type { Decompiled, ImportedTrust, NotImported } from "../../import/trust";
import { identityNameOf } from "../../import/trust";
import { AZURE_AUDIENCE } from "./credentials";
import { BUILTIN_ROLES } from "./builtin-roles";
import type { AzureDeployment, DeployedCredential } from "./deployed";
import { roleDefinitionGuid } from "./role-assignments";

/** The IDs of a user-assigned identity's resource ID (lowercased by the reader). */
const IDENTITY =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.managedidentity\/userassignedidentities\/([^/]+)$/;

/**
 * Reads the federated credentials of each managed identity back into the document's terms: one
 * trust per identity and issuer, a selector `{sub}` per credential (Azure matches `sub` exactly),
 * the credentials' audience. Credentials that match by expression are skipped with the reason.
 * The tenant and region come from the identity files (az identity list) or stay placeholders;
 * the grant's roles are the identity's role assignments, where the files hold them.
 */
export function decompileAzure(deployment: AzureDeployment): Decompiled<"azure"> {
  const { credentials } = deployment;
  const trusts: ImportedTrust<"azure">[] = [];
  const skipped: NotImported[] = [];
  const groups = new Map<string, DeployedCredential[]>();
  for (const c of credentials) {
    const resource = `${c.identityId}/federatedidentitycredentials/${c.name}`;
    if (c.expression !== undefined) {
      skipped.push({
        cloud: "azure",
        resource,
        reason: `it matches claims by the expression ${JSON.stringify(c.expression)}, which import does not read`,
      });
      continue;
    }
    const key = `${c.identityId} ${c.issuer}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const issuersOf = new Map<string, number>();
  for (const [, group] of groups)
    issuersOf.set(group[0]!.identityId, (issuersOf.get(group[0]!.identityId) ?? 0) + 1);
  for (const [, group] of groups) {
    const id = group[0]!.identityId;
    const [, subscriptionId = "", resourceGroup = "", lowered = ""] = IDENTITY.exec(id) ?? [];
    const known = deployment.identities.find((i) => i.id === id);
    const identityName = known?.name ?? lowered;
    if (issuersOf.get(id)! > 1) {
      skipped.push({
        cloud: "azure",
        resource: id,
        reason: `its credentials trust ${issuersOf.get(id)} issuers; an identity of the document has one issuer, and one managed identity serves one identity: split the credentials over managed identities`,
      });
      continue;
    }
    const audiences = [...new Set(group.flatMap((c) => c.audiences))];
    const assignments = (deployment.roleAssignments ?? []).filter(
      (r) => known !== undefined && r.principalId === known.principalId,
    );
    const roles = assignments
      .filter((r) => r.condition === undefined)
      .map((r) => ({ role: roleName(roleDefinitionGuid(r.roleDefinitionId)), scope: r.scope }));
    const notes = [
      ...(deployment.roleAssignments && !known
        ? [`the identity files do not hold ${identityName}: its role assignments were not read`]
        : []),
      ...assignments
        .filter((r) => r.condition !== undefined)
        .map(
          (r) =>
            `the role assignment ${r.id} has a condition, which the document cannot state: it is not in the draft`,
        ),
    ];
    if (audiences.length > 1)
      notes.push(
        `the credentials of ${identityName} accept the audiences ${audiences.join(", ")}; a grant has one, so the draft keeps ${audiences[0]}`,
      );
    const name = identityNameOf(identityName);
    const placeholders = {
      ...(known?.tenantId ? {} : { tenantId: "the tenant of the subscription (az account show)" }),
      ...(known?.location ? {} : { location: "the region of the managed identities" }),
    };
    trusts.push({
      cloud: "azure",
      resource: id,
      name,
      issuerUrl: group[0]!.issuer,
      audience: audiences[0] ?? AZURE_AUDIENCE,
      subjects: group.map((c) => ({ sub: c.subject })),
      target: {
        name: `azure-${resourceGroup}`,
        config: {
          cloud: "azure",
          tenantId: known?.tenantId ?? "00000000-0000-0000-0000-000000000000",
          subscriptionId,
          resourceGroup,
          location: known?.location ?? "unknown",
        },
        placeholders,
      },
      nameKey: "identityName",
      grant: { identityName, ...(roles.length ? { roles } : {}) },
      notes,
      // Azure takes one audience per credential; a list is read as one credential per audience
      overlay: (compiled) => ({
        ...compiled,
        credentials: group.flatMap((c) => c.audiences.map((audience) => ({ ...c, audience }))),
      }),
    });
  }
  return { trusts, skipped };
}

/** A role definition's built-in name where it is one (readable), else its GUID. */
function roleName(guid: string): string {
  return Object.entries(BUILTIN_ROLES).find(([, id]) => id.toLowerCase() === guid)?.[0] ?? guid;
}
