import { RoleAssignment, getClientConfigOutput } from "@pulumi/azure-native/authorization";
import {
  FederatedIdentityCredential,
  UserAssignedIdentity,
} from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { AZURE_TYPES } from "../backends/azure/grant";
import type { GrantPlan } from "../plan/types";
import type { CloudArgs, CloudOutputs } from "./shared";
import { adoption, planned, providerGuard, record } from "./shared";

type AzureGrant = Extract<GrantPlan, { cloud: "azure" }>;

/**
 * The Azure side of a TrustPlane: per grant a user-assigned managed identity, its federated
 * identity credentials created one after another (Azure refuses concurrent credential writes
 * on one identity with 409 Conflict), and its role assignments.
 *
 * @see https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations
 */
export class AzureTrust extends pulumi.ComponentResource {
  readonly outputs: CloudOutputs = {};

  constructor(name: string, args: CloudArgs<AzureGrant>, opts?: pulumi.ComponentResourceOptions) {
    super("trustplane:azure:AzureTrust", name, {}, opts);
    const guards = new Map<string, pulumi.Output<true>>();
    for (const g of args.grants) {
      const { grant } = g;
      const a = grant.artefacts;
      const resourceOpts = { parent: this, provider: args.providers[grant.target] };
      if (!guards.has(grant.target)) {
        // the subscription and tenant a resource lands in are the provider's, whatever its inputs
        const config = getClientConfigOutput(resourceOpts);
        // GUIDs compare without case: the API may report them in either
        const guid = (value: string | undefined) => value?.toLowerCase() || undefined;
        const facts = config.apply((c) => [
          {
            what: "subscription",
            expected: guid(a.subscriptionId)!,
            actual: guid(c.subscriptionId),
          },
          { what: "tenant", expected: guid(a.tenantId)!, actual: guid(c.tenantId) },
        ]);
        guards.set(grant.target, providerGuard(grant.target, facts));
      }
      const guard = guards.get(grant.target)!;
      const identity = new UserAssignedIdentity(
        planned(grant, AZURE_TYPES.identity),
        {
          resourceGroupName: a.resourceGroup,
          resourceName: guard.apply(() => a.identityName),
          location: a.location,
          tags: args.tags,
        },
        {
          ...resourceOpts,
          ...adoption(
            args.existing,
            `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${a.identityName}`,
            ["tags"],
          ),
        },
      );
      let previous: pulumi.Resource = identity;
      a.credentials.forEach((c, i) => {
        previous = new FederatedIdentityCredential(
          planned(grant, AZURE_TYPES.credential, i),
          {
            resourceGroupName: a.resourceGroup,
            resourceName: identity.name,
            federatedIdentityCredentialResourceName: c.name,
            issuer: c.issuer,
            subject: c.subject,
            audiences: [c.audience],
          },
          { ...resourceOpts, dependsOn: [previous] },
        );
      });
      a.roleAssignments.forEach((r, i) => {
        new RoleAssignment(
          planned(grant, AZURE_TYPES.roleAssignment, i),
          {
            principalId: identity.principalId,
            principalType: r.principalType,
            roleAssignmentName: r.name,
            roleDefinitionId: r.roleDefinitionId,
            scope: r.scope,
          },
          resourceOpts,
        );
      });
      record(this.outputs, g, {
        clientId: identity.clientId,
        principalId: identity.principalId,
        tenantId: identity.tenantId,
        subscriptionId: a.subscriptionId,
      });
    }
    this.registerOutputs({ outputs: this.outputs });
  }
}
