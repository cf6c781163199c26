import { isRecord, own } from "../../internal/own";
import { BUILTIN_ROLES } from "./builtin-roles";

/**
 * The role assignments of an Azure subscription and the managed identities they name, read from
 * `az role assignment list --all -o json` (items with `id`, `principalId`, `principalType`,
 * `roleDefinitionId`, `roleDefinitionName`, `scope`, `condition`) and `az identity list -o json`
 * or `az identity show -o json` (items with `id`, `name`, `principalId`, `clientId`). A role
 * assignment names its principal by object ID, which only the identity list ties to an identity.
 *
 * @see https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-cli
 * @see https://learn.microsoft.com/cli/azure/role/assignment#az-role-assignment-list
 * @see https://learn.microsoft.com/cli/azure/identity#az-identity-list
 */

/** A deployed role assignment. */
export interface DeployedRoleAssignment {
  /** The assignment's resource ID: `<scope>/providers/Microsoft.Authorization/roleAssignments/<guid>`. */
  readonly id: string;
  /** The object ID of the principal it is assigned to. */
  readonly principalId: string;
  readonly roleDefinitionId: string;
  /** The role's name when the file gives it (`roleDefinitionName`), for messages. */
  readonly roleName?: string;
  readonly scope: string;
  /** An ABAC condition: the role is granted only when it holds. */
  readonly condition?: string;
  readonly source: string;
}

/** A deployed user-assigned managed identity: what ties a role assignment's principal to it. */
export interface DeployedIdentity {
  /** The identity's resource ID, lowercased: Azure resource IDs compare case-insensitively. */
  readonly id: string;
  readonly name: string;
  /** The object ID of its service principal, which role assignments name. */
  readonly principalId: string;
  readonly clientId?: string;
  /** Its tenant and region, which `import` writes into the target. */
  readonly tenantId?: string;
  readonly location?: string;
  readonly source: string;
}

const ASSIGNMENT_ID = /\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+$/i;
const IDENTITY_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

/** Whether an item's `id` names a role assignment. */
export function isRoleAssignment(item: unknown): boolean {
  const id = isRecord(item) ? own(item, "id") : undefined;
  return typeof id === "string" && ASSIGNMENT_ID.test(id);
}

/** Whether an item's `id` names a user-assigned managed identity (not one of its children). */
export function isIdentity(item: unknown): boolean {
  const id = isRecord(item) ? own(item, "id") : undefined;
  return typeof id === "string" && IDENTITY_ID.test(id);
}

/** The assignments of a role assignment list; an item without principal, role or scope is a problem. */
export function readRoleAssignments(
  list: readonly Record<string, unknown>[],
  source: string,
  problems: string[],
): DeployedRoleAssignment[] {
  return list.flatMap((item, i) => {
    const id = own(item, "id") as string;
    const [principalId, roleDefinitionId, scope] = ["principalId", "roleDefinitionId", "scope"].map(
      (key) => text(own(item, key)),
    );
    if (!principalId || !roleDefinitionId || !scope) {
      problems.push(`${source}[${i}] (${id}) has no principalId, roleDefinitionId or scope`);
      return [];
    }
    const roleName = text(own(item, "roleDefinitionName"));
    const condition = text(own(item, "condition"));
    return [
      {
        id,
        principalId,
        roleDefinitionId,
        ...(roleName ? { roleName } : {}),
        scope,
        ...(condition ? { condition } : {}),
        source,
      },
    ];
  });
}

/** The identities of an identity list (or one `az identity show`); one without principalId is a problem. */
export function readIdentities(
  list: readonly Record<string, unknown>[],
  source: string,
  problems: string[],
): DeployedIdentity[] {
  return list.flatMap((item, i) => {
    const id = own(item, "id") as string;
    const principalId = text(own(item, "principalId"));
    if (!principalId) {
      problems.push(`${source}[${i}] (${id}) has no principalId`);
      return [];
    }
    const clientId = text(own(item, "clientId"));
    const tenantId = text(own(item, "tenantId"));
    const location = text(own(item, "location"));
    return [
      {
        id: id.toLowerCase(),
        name: text(own(item, "name")) ?? id.slice(id.lastIndexOf("/") + 1),
        principalId,
        ...(clientId ? { clientId } : {}),
        ...(tenantId ? { tenantId } : {}),
        ...(location ? { location } : {}),
        source,
      },
    ];
  });
}

/** The role definition GUID at the end of a `roleDefinitionId`, lowercased. */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  return roleDefinitionId.slice(roleDefinitionId.lastIndexOf("/") + 1).toLowerCase();
}

/** A scope as Azure compares it: case-insensitively, without a trailing slash. */
export function scopeKey(scope: string): string {
  return scope.replace(/\/+$/, "").toLowerCase();
}

/** How a deployed assignment's role reads in messages: its name, a built-in's name, or its GUID. */
export function roleLabel(assignment: DeployedRoleAssignment): string {
  const guid = roleDefinitionGuid(assignment.roleDefinitionId);
  return (
    assignment.roleName ??
    Object.keys(BUILTIN_ROLES).find((name) => BUILTIN_ROLES[name] === guid) ??
    guid
  );
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
