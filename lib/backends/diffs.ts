import { canonical } from "../internal/canonical";
import type { ArtefactsOf } from "./cloud-types";
import type { Cloud } from "./cloud";
import { AWS_TYPES } from "./aws/grant";
import { AZURE_TYPES } from "./azure/grant";
import { GCP_TYPES } from "./gcp/grant";

/** A permission a grant gives its identity, as `diff` compares two versions of it. */
export interface GrantPermission {
  /** "managed policy", "inline policy", "permissions boundary", "role". */
  readonly kind: string;
  /** The policy's ARN or name, the role as the document names it. */
  readonly name: string;
  /** Where it holds, when the target does not say it alone (an Azure scope). */
  readonly scope?: string;
  /** Identifies the permission: two versions with one key are the same permission. */
  readonly key: string;
  /** What it grants beyond its key (an inline policy's document): differing, it changed. */
  readonly content?: string;
}

/** How one cloud's grants are compared between two versions of a document (`trustplane diff`). */
export interface CloudDiff<C extends Cloud> {
  /** The permissions a grant gives its identity. */
  permissions(artefacts: ArtefactsOf<C>): GrantPermission[];
  /**
   * The physical name of each of the grant's own resources that has one, by type token: a
   * resource whose physical name changes is replaced by `pulumi up`.
   */
  physicalNames(artefacts: ArtefactsOf<C>): Readonly<Record<string, string>>;
}

/** One comparer per cloud, keyed by the schema's clouds. */
export const DIFFS: { readonly [C in Cloud]: CloudDiff<C> } = {
  aws: {
    permissions: (a) => [
      ...a.managedPolicyArns.map((arn) => ({ kind: "managed policy", name: arn, key: arn })),
      ...Object.entries(a.inlinePolicies).map(([name, document]) => ({
        kind: "inline policy",
        name,
        key: `inline ${name}`,
        content: canonical(document),
      })),
      ...(a.permissionsBoundary
        ? [{ kind: "permissions boundary", name: a.permissionsBoundary, key: "boundary" }]
        : []),
    ],
    // IAM role names and paths cannot be changed in place
    physicalNames: (a) => ({ [AWS_TYPES.role]: a.roleArn }),
  },
  azure: {
    // one role by name or by GUID, and scopes in any case, are one assignment to Azure
    permissions: (a) =>
      a.roleAssignments.map((r) => ({
        kind: "role",
        name: r.role,
        scope: r.scope,
        key: `${r.roleDefinitionId.toLowerCase()} ${r.scope.toLowerCase()}`,
      })),
    // a managed identity cannot move to another name, group or region in place
    physicalNames: (a) => ({
      [AZURE_TYPES.identity]: `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${a.identityName} (${a.location})`,
    }),
  },
  gcp: {
    permissions: (a) =>
      a.projectBindings.map((b) => ({
        kind: "role",
        name: b.role,
        key: b.role,
        content: b.member,
      })),
    // provider and service account IDs are immutable
    physicalNames: (a) => ({
      [GCP_TYPES.provider]: a.providerName,
      ...(a.serviceAccountEmail ? { [GCP_TYPES.serviceAccount]: a.serviceAccountEmail } : {}),
    }),
  },
};

/** The comparer of a cloud, for code that holds a grant of any cloud (see `backendOf`). */
export function diffOf(cloud: Cloud): CloudDiff<Cloud> {
  return DIFFS[cloud];
}
