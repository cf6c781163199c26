import type { GrantHandoff, IdentityHandoff } from "../model";

/**
 * Where a job without login actions keeps the token for a grant: GitHub's actions exchange
 * tokens themselves and HCP Terraform injects credentials, so only `gitlab` and `none` use files.
 */
export function tokenFile(h: IdentityHandoff, grant: GrantHandoff): string | undefined {
  return h.ci === "gitlab" || h.ci === "none"
    ? `${h.tokenDirectory}/${grant.target}.jwt`
    : undefined;
}

/** The file name of a GCP grant's `external_account` credential configuration. */
export const gcpCredentialsFile = (target: string) => `${target}-credentials.json`;
