import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { TrustPlane } from "../../lib/components";
import type { TrustPlaneArgs } from "../../lib/components";
import { registering, silenceWarnings, useMocks } from "../support/mocks";

const DOCUMENT = parse(readFileSync("examples/platform.yaml", "utf8")) as TrustPlaneArgs;

/**
 * `adopt: { existing: true }` under Pulumi's mocks: which registrations carry Pulumi's `import`
 * option, with which IDs (the import formats of the Pulumi registry's pages for each type), and
 * which inputs they keep as found. Proves what the component sends; does NOT prove that the
 * clouds' providers accept those IDs, nor that the first `up` then reports no change.
 */
describe("TrustPlane adopt.existing", () => {
  let quiet: ReturnType<typeof silenceWarnings>;
  before(async () => {
    await useMocks();
    quiet = silenceWarnings();
  });
  after(() => quiet.restore());

  it("imports each existing resource by its planned physical name, keeping its trust as found", async () => {
    const { error, seen } = await registering(
      () => new TrustPlane("taking-over", { ...DOCUMENT, adopt: { existing: true } }),
    );
    assert.equal(error, undefined);
    const imports = Object.fromEntries(
      seen
        .filter((r) => r.importId !== "")
        .map((r) => [`${r.type} ${r.name}`, [r.importId, [...r.ignoreChanges].sort()]]),
    );
    const role = ["assumeRolePolicy", "maxSessionDuration", "permissionsBoundary", "tags"];
    const pool = "projects/acme-prod/locations/global/workloadIdentityPools/trustplane";
    const provider = [
      "attributeCondition",
      "attributeMapping",
      "description",
      "displayName",
      "oidc",
    ];
    const identities =
      "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities";
    assert.deepEqual(imports, {
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider oidc-provider/111111111111/token.actions.githubusercontent.com":
        [
          "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
          ["clientIdLists", "tags"],
        ],
      "aws:iam/role:Role api-deploy/aws-prod": ["api-deploy", role],
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment api-deploy/aws-prod/ReadOnlyAccess": [
        "api-deploy/arn:aws:iam::aws:policy/ReadOnlyAccess",
        [],
      ],
      "aws:iam/rolePolicy:RolePolicy api-deploy/aws-prod/inline/tfstate": [
        "api-deploy:tfstate",
        ["policy"],
      ],
      "aws:iam/role:Role api-release/aws-prod": ["api-release", role],
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment api-release/aws-prod/PowerUserAccess": [
        "api-release/arn:aws:iam::aws:policy/PowerUserAccess",
        [],
      ],
      "aws:iam/role:Role web-deploy/aws-prod": ["web-deploy", role],
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment web-deploy/aws-prod/AmazonS3FullAccess": [
        "web-deploy/arn:aws:iam::aws:policy/AmazonS3FullAccess",
        [],
      ],
      "azure-native:managedidentity:UserAssignedIdentity api-deploy/azure-prod": [
        `${identities}/api-deploy`,
        ["tags"],
      ],
      "azure-native:managedidentity:UserAssignedIdentity web-deploy/azure-prod": [
        `${identities}/web-deploy`,
        ["tags"],
      ],
      "gcp:iam/workloadIdentityPool:WorkloadIdentityPool pool/acme-prod/trustplane": [
        pool,
        ["description", "displayName"],
      ],
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider api-deploy/gcp-prod": [
        `${pool}/providers/api-deploy`,
        provider,
      ],
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider api-release/gcp-prod": [
        `${pool}/providers/api-release`,
        provider,
      ],
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider web-deploy/gcp-prod": [
        `${pool}/providers/web-deploy`,
        provider,
      ],
      "gcp:serviceaccount/account:Account api-deploy/gcp-prod": [
        "projects/acme-prod/serviceAccounts/api-deploy@acme-prod.iam.gserviceaccount.com",
        ["description", "displayName"],
      ],
      "gcp:serviceaccount/account:Account api-release/gcp-prod": [
        "projects/acme-prod/serviceAccounts/api-release@acme-prod.iam.gserviceaccount.com",
        ["description", "displayName"],
      ],
    });
  });

  it("imports nothing by default", async () => {
    const { error, seen } = await registering(() => new TrustPlane("fresh", DOCUMENT));
    assert.equal(error, undefined);
    assert.deepEqual(
      seen.filter((r) => r.importId !== "" || r.ignoreChanges.length),
      [],
    );
  });
});
