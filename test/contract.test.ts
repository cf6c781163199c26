import { strict as assert } from "node:assert";
import { AWS_TYPES } from "../lib/backends/aws/grant";
import { AZURE_TYPES } from "../lib/backends/azure/grant";
import { GCP_TYPES } from "../lib/backends/gcp/grant";

/**
 * Names that are a public contract: Pulumi resolves state by type token and logical name, so
 * changing one replaces resources in every stack (or needs an alias). Changing a line here
 * must be deliberate.
 */
describe("contract", () => {
  it("keeps the Pulumi type tokens of trustplane's components", async () => {
    const { readFileSync } = await import("node:fs");
    const tokens = ["trustplane", "aws", "azure", "gcp"].flatMap((file) =>
      [
        ...readFileSync(`${__dirname}/../lib/components/${file}.ts`, "utf8").matchAll(
          /super\("(trustplane:[^"]+)"/g,
        ),
      ].map((m) => m[1]),
    );
    assert.deepStrictEqual(tokens, [
      "trustplane:index:TrustPlane",
      "trustplane:aws:AwsTrust",
      "trustplane:azure:AzureTrust",
      "trustplane:gcp:GcpTrust",
    ]);
  });

  it("keeps the cloud resource types the plan lists", () => {
    assert.deepStrictEqual(AWS_TYPES, {
      provider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      role: "aws:iam/role:Role",
      attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      inlinePolicy: "aws:iam/rolePolicy:RolePolicy",
    });
    assert.deepStrictEqual(AZURE_TYPES, {
      identity: "azure-native:managedidentity:UserAssignedIdentity",
      credential: "azure-native:managedidentity:FederatedIdentityCredential",
      roleAssignment: "azure-native:authorization:RoleAssignment",
    });
    assert.deepStrictEqual(GCP_TYPES, {
      pool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
      provider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      serviceAccount: "gcp:serviceaccount/account:Account",
      serviceAccountMember: "gcp:serviceaccount/iAMMember:IAMMember",
      projectMember: "gcp:projects/iAMMember:IAMMember",
    });
  });
});
