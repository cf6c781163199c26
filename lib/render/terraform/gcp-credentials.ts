import { providerAudience } from "../../backends/gcp/names";
import type { GcpHandoff } from "../model";

/**
 * The `external_account` credential configuration (AIP-4117) that exchanges the token in `file`
 * at Google's STS for this grant's provider, then impersonates its service account (impersonate
 * mode) or uses the federated token directly (direct mode).
 */
export function gcpCredentials(grant: GcpHandoff, file: string): Record<string, unknown> {
  return {
    type: "external_account",
    // STS wants the provider's resource name here, whatever `aud` the token carries
    audience: providerAudience(grant.workloadIdentityProvider, false),
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    token_url: "https://sts.googleapis.com/v1/token",
    ...(grant.serviceAccountEmail === undefined
      ? {}
      : {
          service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${grant.serviceAccountEmail}:generateAccessToken`,
        }),
    credential_source: { file, format: { type: "text" } },
  };
}
