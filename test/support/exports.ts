import type { DeployedFile } from "../../lib/backends/audits";
import type { Cloud } from "../../lib/backends/cloud";
import { uuidV5 } from "../../lib/internal/names";
import type { Plan } from "../../lib/plan/types";

const CREATED = "2026-12-01T09:00:00+00:00";

/**
 * What the clouds' CLIs print once `pulumi up` deployed the plan, in their documented shapes:
 * `aws iam get-account-authorization-details` and `get-open-id-connect-provider` (with the
 * provider's ARN named), `az identity federated-credential list` per identity and
 * `az identity list`, `gcloud iam workload-identity-pools providers list`. Made from the plan,
 * so it proves nothing about what the clouds would really print beyond those shapes.
 */
export function cliExports(plan: Plan): Record<Cloud, DeployedFile[]> {
  const grants = plan.identities.flatMap((i) => i.grants);
  const aws = grants.flatMap((g) => (g.cloud === "aws" ? [g.artefacts] : []));
  const azure = grants.flatMap((g) => (g.cloud === "azure" ? [g.artefacts] : []));
  const gcp = grants.flatMap((g) => (g.cloud === "gcp" ? [g.artefacts] : []));
  const providers = new Map(aws.map((a) => [a.providerArn, a]));
  const identityId = (a: (typeof azure)[number]) =>
    `/subscriptions/${a.subscriptionId}/resourcegroups/${a.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${a.identityName}`;
  return {
    aws: aws.length
      ? [
          {
            source: "details.json",
            json: {
              RoleDetailList: aws.map((a, i) => ({
                Path: a.rolePath,
                RoleName: a.roleName,
                RoleId: `AROA${String(i).padStart(17, "0")}`,
                Arn: a.roleArn,
                CreateDate: CREATED,
                AssumeRolePolicyDocument: structuredClone(a.trustPolicy),
                InstanceProfileList: [],
                RolePolicyList: Object.entries(a.inlinePolicies).map(([PolicyName, doc]) => ({
                  PolicyName,
                  PolicyDocument: doc,
                })),
                AttachedManagedPolicies: a.managedPolicyArns.map((PolicyArn) => ({
                  PolicyName: PolicyArn.split("/").pop(),
                  PolicyArn,
                })),
                ...(a.permissionsBoundary
                  ? {
                      PermissionsBoundary: {
                        PermissionsBoundaryType: "Policy",
                        PermissionsBoundaryArn: a.permissionsBoundary,
                      },
                    }
                  : {}),
                Tags: [],
                RoleLastUsed: {},
              })),
              UserDetailList: [],
              GroupDetailList: [],
              Policies: [],
            },
          },
          ...[...providers.values()].map((a, i) => ({
            source: `provider-${i}.json`,
            json: {
              OpenIDConnectProviderArn: a.providerArn,
              Url: a.providerUrl.replace(/^https:\/\//, ""),
              ClientIDList: [...a.clientIds],
              ThumbprintList: [],
              CreateDate: CREATED,
              Tags: [],
            },
          })),
        ]
      : [],
    azure: azure.length
      ? [
          ...azure.map((a) => ({
            source: `${a.identityName}.json`,
            json: a.credentials.map((c) => ({
              audiences: [c.audience],
              id: `${identityId(a)}/federatedIdentityCredentials/${c.name}`,
              issuer: c.issuer,
              name: c.name,
              resourceGroup: a.resourceGroup,
              subject: c.subject,
              type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            })),
          })),
          {
            source: "identities.json",
            json: azure.map((a) => ({
              clientId: "11111111-2222-3333-4444-555555555555",
              id: identityId(a),
              location: a.location,
              name: a.identityName,
              // object IDs are Azure's: made up per identity, as role assignment files name them
              principalId: uuidV5(`principal ${a.identityName}`),
              resourceGroup: a.resourceGroup,
              tenantId: a.tenantId,
              type: "Microsoft.ManagedIdentity/userAssignedIdentities",
            })),
          },
        ]
      : [],
    gcp: gcp.length
      ? [
          {
            source: "providers.json",
            json: gcp.map((a) => ({
              name: a.providerName,
              displayName: a.providerId,
              state: "ACTIVE",
              disabled: false,
              attributeMapping: { ...a.attributeMapping },
              attributeCondition: a.attributeCondition,
              oidc: { issuerUri: a.issuerUri, allowedAudiences: [...a.allowedAudiences] },
            })),
          },
        ]
      : [],
  };
}
