import type { StateResource } from "../../audit/pulumi-state";
import { stateOutputs } from "../../audit/pulumi-state";
import { DECLARED } from "../../internal/merge";

/**
 * Azure's resources of Pulumi stack exports, as the Azure CLI outputs the Azure reader reads:
 * federated credentials as `az identity federated-credential list` items, identities as
 * `az identity list` items, role assignments as `az role assignment list` items, each keyed by
 * the resource ID the state records and marked `DECLARED`. One reader thus checks both sources
 * alike.
 *
 * @see https://www.pulumi.com/registry/packages/azure-native/api-docs/managedidentity/federatedidentitycredential/
 * @see https://www.pulumi.com/registry/packages/azure-native/api-docs/managedidentity/userassignedidentity/
 * @see https://www.pulumi.com/registry/packages/azure-native/api-docs/authorization/roleassignment/
 * @see https://www.pulumi.com/registry/packages/azure/api-docs/armmsi/federatedidentitycredential/
 */

/** The Pulumi packages whose resources are Azure's: Azure Native and Azure Classic. */
export const AZURE_PACKAGES = ["azure-native", "azure"] as const;

/**
 * What each kind of resource is, by type token: Azure Native's (also from the explicit API
 * version modules, `azure-native:managedidentity/v20230131:…`) and Azure Classic's.
 */
const KINDS: readonly { readonly type: RegExp; readonly kind: Kind }[] = [
  {
    type: /^azure-native:managedidentity(\/v\w+)?:FederatedIdentityCredential$/,
    kind: "credential",
  },
  {
    type: /^azure:armmsi\/federatedIdentityCredential:FederatedIdentityCredential$/,
    kind: "credential",
  },
  { type: /^azure-native:managedidentity(\/v\w+)?:UserAssignedIdentity$/, kind: "identity" },
  { type: /^azure:authorization\/userAssignedIdentity:UserAssignedIdentity$/, kind: "identity" },
  { type: /^azure-native:authorization(\/v\w+)?:RoleAssignment$/, kind: "assignment" },
  { type: /^azure:authorization\/assignment:Assignment$/, kind: "assignment" },
];

type Kind = "credential" | "identity" | "assignment";

/** The outputs read of each kind; Classic names a credential's audiences `audience`. */
const OUTPUTS: { readonly [K in Kind]: readonly string[] } = {
  credential: ["name", "issuer", "subject", "audiences", "audience", "claimsMatchingExpression"],
  identity: ["name", "principalId", "clientId", "tenantId"],
  assignment: [
    "principalId",
    "principalType",
    "roleDefinitionId",
    "roleDefinitionName",
    "scope",
    "condition",
  ],
};

/**
 * The CLI documents of Azure's resources of stack exports, one list per resource named
 * `FILE: URN`. A resource without the ID the state records, or with an output sealed as a
 * secret, is a problem naming it; what the reader needs beyond that it checks itself. Never
 * throws.
 */
export function azureStateFiles(
  resources: readonly StateResource[],
): { files: { source: string; json: unknown }[] } | { problems: string[] } {
  const problems: string[] = [];
  const files: { source: string; json: unknown }[] = [];
  for (const resource of resources) {
    const kind = KINDS.find((k) => k.type.test(resource.type))?.kind;
    if (kind === undefined) continue;
    const read = stateOutputs(resource, OUTPUTS[kind]);
    if ("problem" in read) {
      problems.push(read.problem);
      continue;
    }
    if (resource.id === undefined) {
      problems.push(`${resource.source}: ${resource.urn} has no id`);
      continue;
    }
    const { audience, ...outputs } = read.outputs;
    const item =
      kind === "credential" && outputs.audiences === undefined && audience !== undefined
        ? { ...outputs, audiences: [audience].flat() }
        : outputs;
    files.push({
      source: `${resource.source}: ${resource.urn}`,
      // one of the items a CLI list shows, which may show others too
      json: [{ ...item, id: resource.id, [DECLARED]: "part" }],
    });
  }
  return problems.length ? { problems } : { files };
}
