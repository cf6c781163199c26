// The platform repository's Pulumi program. In your own repository, import from "trustplane".
import { join } from "node:path";
import { compile, readIntentFile } from "../../lib";

const file = readIntentFile(join(__dirname, "..", "platform.yaml"));
if ("unreadable" in file) throw new Error(`cannot read the intent: ${file.unreadable}`);

// Fails the update with every error listed, before any resource is registered.
const { plan } = compile(file.data);

/**
 * What each identity gets in each cloud, for app teams to read with `pulumi stack output`.
 * The components that create these resources come with trustplane's Pulumi components; until
 * then this program only compiles and exports the plan.
 */
export const identities = plan.identities.map((identity) => ({
  name: identity.name,
  grants: identity.grants.map((grant) => ({
    target: grant.target,
    cloud: grant.cloud,
    audience: grant.audience,
    ...(grant.cloud === "aws" ? { roleArn: grant.artefacts.roleArn } : {}),
    ...(grant.cloud === "azure" ? { identityName: grant.artefacts.identityName } : {}),
    ...(grant.cloud === "gcp"
      ? {
          workloadIdentityProvider: grant.artefacts.providerName,
          serviceAccount: grant.artefacts.serviceAccountEmail,
        }
      : {}),
  })),
}));
