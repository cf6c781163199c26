import type { Issue } from "../../errors";
import { error, quote } from "../../errors";
import type { GrantIR, IdentityIR } from "../../ir/types";
import type { TargetOf } from "../cloud";
import { uuidV5 } from "../../internal/names";
import type { PlanResource } from "../../plan/resource";
import type { Listed } from "../repeats";
import { repeats } from "../repeats";
import { BUILTIN_ROLES, roleGuid } from "./builtin-roles";
import type { FederatedCredential } from "./credentials";
import { AZURE_AUDIENCE, azureCredentials } from "./credentials";
import { AZURE_LIMITS, IDENTITY_NAME_RULE } from "./limits";

/** Pulumi type tokens of what an Azure grant creates. */
export const AZURE_TYPES = {
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  credential: "azure-native:managedidentity:FederatedIdentityCredential",
  roleAssignment: "azure-native:authorization:RoleAssignment",
} as const;

export interface RoleAssignment {
  /** A GUID derived from identity, scope and role: re-running never duplicates the assignment. */
  readonly name: string;
  readonly role: string;
  readonly roleDefinitionId: string;
  readonly scope: string;
  readonly principalType: "ServicePrincipal";
}

export interface AzureArtefacts {
  readonly identityName: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly subscriptionId: string;
  readonly tenantId: string;
  /** Created one after another: Azure refuses concurrent credential writes on one identity. */
  readonly credentials: readonly FederatedCredential[];
  readonly roleAssignments: readonly RoleAssignment[];
}

const SCOPE =
  /^\/(subscriptions\/[0-9a-f-]{36}(\/resourceGroups\/[-\w._()]+(\/providers\/[\w.]+\/[\w.]+\/[^/]+(\/[\w.]+\/[^/]+)*)?)?|providers\/Microsoft\.Management\/managementGroups\/[\w.()-]+)$/i;

/** The managed identity, its federated credentials and its role assignments in one Azure target. */
export function azureGrant(
  identity: IdentityIR,
  grant: GrantIR<TargetOf<"azure">>,
): { audience: string; artefacts: AzureArtefacts; resources: PlanResource[]; issues: Issue[] } {
  const { target, options } = grant;
  const audience = options.audience ?? identity.issuer.audiences.azure ?? AZURE_AUDIENCE;
  const { credentials, issues } = azureCredentials(
    identity,
    audience,
    options.audience !== undefined
      ? [...grant.path, "audience"]
      : ["issuers", identity.issuerName, "audiences", "azure"],
  );
  const identityName = options.identityName ?? identity.name;
  // the schema checks a given identityName; the identity's own name may be too short for Azure
  if (!AZURE_LIMITS.identityName.test(identityName)) {
    issues.push(
      error(
        "invalid_name",
        [...grant.path, "identityName"],
        `the managed identity would be named ${quote(identityName)}, and ${IDENTITY_NAME_RULE}; set identityName on this grant`,
      ),
    );
  }
  const roleAssignments: RoleAssignment[] = [];
  const assigned: Listed[] = [];
  (options.roles ?? []).forEach((entry, i) => {
    if (typeof entry === "string") return;
    const path = [...grant.path, "roles", i];
    const guid = roleGuid(entry.role);
    if (!guid) {
      issues.push(
        error(
          "azure_unknown_role",
          [...path, "role"],
          `${quote(entry.role)} is not a built-in role trustplane knows; give the role definition GUID (az role definition list --name "<role>" --query [].name) or one of ${Object.keys(BUILTIN_ROLES).slice(0, 6).join(", ")}, ...`,
        ),
      );
      return;
    }
    if (!SCOPE.test(entry.scope)) {
      issues.push(
        error(
          "azure_invalid_scope",
          [...path, "scope"],
          `${quote(entry.scope)} is not an Azure scope; use /subscriptions/<id>, /subscriptions/<id>/resourceGroups/<name>, a resource ID under it, or /providers/Microsoft.Management/managementGroups/<id>`,
        ),
      );
      return;
    }
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(entry.scope)?.[1];
    assigned.push({
      key: `${guid}\n${entry.scope.toLowerCase()}`,
      path,
      label: `${quote(entry.role)} on ${quote(entry.scope)}`,
    });
    roleAssignments.push({
      name: uuidV5(
        `${target.tenantId}\n${target.subscriptionId}\n${target.resourceGroup}\n${identityName}\n${entry.scope.toLowerCase()}\n${guid}`,
      ),
      role: entry.role,
      roleDefinitionId: `${subscription ? `/subscriptions/${subscription}` : ""}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      scope: entry.scope,
      principalType: "ServicePrincipal",
    });
  });
  // a role named once by name and once by GUID, or scopes differing in case, are one assignment
  issues.push(...repeats(assigned, "assign each role on each scope once"));
  const base = `${identity.name}/${target.name}`;
  const resources: PlanResource[] = [
    { type: AZURE_TYPES.identity, name: base },
    ...credentials.map((c) => ({ type: AZURE_TYPES.credential, name: `${base}/${c.name}` })),
    ...roleAssignments.map((r) => ({
      type: AZURE_TYPES.roleAssignment,
      name: `${base}/${r.name}`,
    })),
  ];
  return {
    audience,
    issues,
    resources,
    artefacts: {
      identityName,
      resourceGroup: target.resourceGroup,
      location: target.location,
      subscriptionId: target.subscriptionId,
      tenantId: target.tenantId,
      credentials,
      roleAssignments,
    },
  };
}
