import { canonical } from "../../internal/canonical";
import type { Description } from "../../internal/merge";
import { DECLARED, mergeFields, removedProblem } from "../../internal/merge";
import { isRecord, own } from "../../internal/own";
import type { DeployedIdentity, DeployedRoleAssignment } from "./role-assignments";
import {
  isIdentity,
  isRoleAssignment,
  readIdentities,
  readRoleAssignments,
  roleDefinitionGuid,
  scopeKey,
} from "./role-assignments";

/**
 * What an Azure subscription has deployed, read from files the user produces with the Azure CLI:
 * `az identity federated-credential list -o json` (one file per identity; each item's `id`
 * names its identity), `az role assignment list --all -o json` and `az identity list -o json`
 * (or `az identity show -o json`), which ties the assignments' principals to identities.
 *
 * @see https://learn.microsoft.com/cli/azure/identity/federated-credential#az-identity-federated-credential-list
 */

/** A deployed federated credential and the managed identity it belongs to. */
export interface DeployedCredential {
  /** The identity's resource ID, lowercased: Azure resource IDs compare case-insensitively. */
  readonly identityId: string;
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
  /** Set when the credential matches claims by expression (flexible FICs) instead of `subject`. */
  readonly expression?: string;
  readonly source: string;
}

/**
 * Everything read from the Azure files. `roleAssignments` is undefined when no role assignment
 * list was given: permissions are then not compared (a given list is always read with the
 * identities, or refused).
 */
export interface AzureDeployment {
  readonly credentials: readonly DeployedCredential[];
  readonly identities: readonly DeployedIdentity[];
  readonly roleAssignments?: readonly DeployedRoleAssignment[];
}

/** The resource ID of a user-assigned managed identity, lowercased for comparison. */
export function identityId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/microsoft.managedidentity/userassignedidentities/${name}`.toLowerCase();
}

const CREDENTIAL_ID =
  /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+)\/federatedidentitycredentials\/[^/]+$/i;

/**
 * Which Azure CLI output a file is, from its content; undefined when it is none of them. An empty
 * list is `empty`: it could be any list and holds nothing.
 */
export type AzureFileKind = "credentials" | "role-assignments" | "identities" | "empty";

/** The kind of an Azure CLI output: a list whose items' `id` all name the same kind of resource. */
export function azureFileKind(json: unknown): AzureFileKind | undefined {
  if (isIdentity(json)) return "identities";
  if (!Array.isArray(json)) return undefined;
  if (json.length === 0) return "empty";
  if (json.every(isCredential)) return "credentials";
  if (json.every(isRoleAssignment)) return "role-assignments";
  if (json.every(isIdentity)) return "identities";
  return undefined;
}

function isCredential(item: unknown): boolean {
  const id = isRecord(item) ? own(item, "id") : undefined;
  return typeof id === "string" && CREDENTIAL_ID.test(id);
}

/**
 * Reads Azure CLI outputs (each already parsed JSON, with its file's name) into one deployment.
 * A file of no known kind, an item without what its kind needs (issuer and subject or
 * expression; principal, role and scope; principalId), role assignments without any identity
 * file (their principals could not be tied to identities), and files that disagree on an item
 * (`mergeItems`) are problems naming the file. Never throws.
 */
export function readAzureFiles(
  files: readonly { source: string; json: unknown }[],
): { deployment: AzureDeployment } | { problems: string[] } {
  const problems: string[] = [];
  const credentials: Read<DeployedCredential>[] = [];
  const identities: Read<DeployedIdentity>[] = [];
  const assignmentFiles: string[] = [];
  const roleAssignments: Read<DeployedRoleAssignment>[] = [];
  for (const { source, json } of files) {
    const kind = azureFileKind(json);
    const list = (Array.isArray(json) ? json : [json]) as Record<string, unknown>[];
    // a stack's state comes as one marked item per file (see DECLARED)
    const declared = list.some((item) => isRecord(item) && own(item, DECLARED) !== undefined);
    const read = <T>(items: T[]): Read<T>[] => items.map((item) => ({ item, source, declared }));
    if (kind === undefined) {
      problems.push(
        `${source} is not an output trustplane reads for Azure: expected az identity federated-credential list, az role assignment list --all, or az identity list or show -o json (a list whose items' id names a credential, a role assignment or an identity)`,
      );
    } else if (kind === "credentials") {
      credentials.push(...read(readCredentials(list, source, problems)));
    } else if (kind === "role-assignments") {
      assignmentFiles.push(source);
      roleAssignments.push(...read(readRoleAssignments(list, source, problems)));
    } else if (kind === "identities") {
      identities.push(...read(readIdentities(list, source, problems)));
    }
  }
  if (assignmentFiles.length && identities.length === 0)
    problems.push(
      `${assignmentFiles.join(", ")}: role assignments name their principals by object ID only; also pass az identity list -o json (or az identity show) of the intent's identities, so trustplane can tell whose they are`,
    );
  const deployment = {
    credentials: mergeItems(credentials, CREDENTIALS, problems),
    identities: mergeItems(identities, IDENTITIES, problems),
    ...(assignmentFiles.length
      ? { roleAssignments: mergeItems(roleAssignments, ASSIGNMENTS, problems) }
      : {}),
  };
  return problems.length ? { problems } : { deployment };
}

/** One file's description of an item; `declared` when it is a stack's (`DECLARED`). */
interface Read<T> extends Description<T> {
  readonly declared: boolean;
}

/**
 * How the items of one kind merge: their key (resource IDs compare case-insensitively), the
 * scope of which a CLI list holds every item, their name in messages, and the fields whose
 * absence says something.
 */
interface Kind<T> {
  readonly key: (item: T) => string;
  readonly scope?: (item: T) => string | undefined;
  readonly label: (item: T) => string;
  readonly valued: readonly string[];
}

const CREDENTIALS: Kind<DeployedCredential> = {
  key: (c) => `${c.identityId}/${c.name.toLowerCase()}`,
  // az identity federated-credential list lists every credential of one identity
  scope: (c) => c.identityId,
  label: (c) => `federated credential ${c.name} of ${c.identityId}`,
  valued: ["expression"],
};

const IDENTITIES: Kind<DeployedIdentity> = {
  key: (i) => i.id,
  label: (i) => `managed identity ${i.id}`,
  valued: [],
};

const ASSIGNMENTS: Kind<DeployedRoleAssignment> = {
  key: (r) => r.id.toLowerCase(),
  // az role assignment list --all lists every assignment of its subscription
  scope: (r) => /^\/subscriptions\/([^/]+)\//i.exec(r.id)?.[1]?.toLowerCase(),
  label: (r) => `role assignment ${r.id}`,
  valued: ["condition"],
};

/**
 * One item per key. What files say of one item must agree (`same`); a stack's item in a scope
 * whose every item a CLI list holds, but which that list lacks, was removed (`removedProblem`).
 */
function mergeItems<T extends { readonly source: string }>(
  reads: readonly Read<T>[],
  kind: Kind<T>,
  problems: string[],
): T[] {
  const byKey = new Map<string, Read<T>[]>();
  const listed = new Map<string, Set<string>>();
  for (const r of reads) {
    byKey.set(kind.key(r.item), [...(byKey.get(kind.key(r.item)) ?? []), r]);
    const scope = r.declared ? undefined : kind.scope?.(r.item);
    if (scope !== undefined) listed.set(scope, (listed.get(scope) ?? new Set()).add(r.source));
  }
  return [...byKey.values()].map((list) => {
    const label = kind.label(list[0]!.item);
    const scope = kind.scope?.(list[0]!.item);
    const cli = scope === undefined ? undefined : listed.get(scope);
    if (cli && list.every((r) => r.declared))
      problems.push(removedProblem(list[0]!.source, label, [...cli]));
    const disagree = (field: string, source: string, earlier: readonly string[]) =>
      problems.push(
        `${source} and ${earlier.join(", ")} disagree on ${field} of ${label}: pass files of one moment`,
      );
    // a role's name is for messages, and renamed roles keep their GUID
    return mergeFields(list, same, disagree, ["source", "roleName"], kind.valued);
  });
}

/** Fields naming resources or principals, which Azure compares case-insensitively. */
const NAMES = new Set(["id", "identityId", "name", "principalId", "clientId", "tenantId"]);

/** Whether two files give a field the same value as Azure reads it (audiences are a set). */
function same(field: string, a: unknown, b: unknown): boolean {
  const form = (value: unknown) => {
    if (field === "roleDefinitionId") return roleDefinitionGuid(String(value));
    if (field === "scope") return scopeKey(String(value));
    if (typeof value === "string") return NAMES.has(field) ? value.toLowerCase() : value;
    return canonical(Array.isArray(value) ? [...(value as unknown[])].sort() : value);
  };
  return form(a) === form(b);
}

function readCredentials(
  list: readonly Record<string, unknown>[],
  source: string,
  problems: string[],
): DeployedCredential[] {
  return list.flatMap((item, i) => {
    const id = own(item, "id") as string;
    const issuer = own(item, "issuer");
    const subject = own(item, "subject");
    const expression = own(item, "claimsMatchingExpression");
    const audiences = own(item, "audiences");
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    // flexible credentials hold {value, languageVersion}
    const described =
      text(expression) ?? (isRecord(expression) ? text(own(expression, "value")) : undefined);
    if (typeof issuer !== "string" || (typeof subject !== "string" && described === undefined)) {
      problems.push(`${source}[${i}] (${id}) has no issuer or subject`);
      return [];
    }
    return [
      {
        identityId: CREDENTIAL_ID.exec(id)![1]!.toLowerCase(),
        name: text(own(item, "name")) ?? id.slice(id.lastIndexOf("/") + 1),
        issuer,
        subject: typeof subject === "string" ? subject : "",
        audiences: Array.isArray(audiences)
          ? audiences.filter((a): a is string => typeof a === "string")
          : [],
        ...(described !== undefined ? { expression: described } : {}),
        source,
      },
    ];
  });
}
