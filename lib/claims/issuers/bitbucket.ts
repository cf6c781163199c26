import type { IssuerConfig } from "../../intent/schema";
import type { IssuerModel } from "../issuer";
import { vocabulary } from "../issuer";

type BitbucketConfig = Extract<IssuerConfig, { kind: "bitbucket" }>;

/**
 * Bitbucket Pipelines: one issuer per workspace. Its sub holds per-run UUIDs in a layout the
 * vendor does not pin down, so trustplane matches Bitbucket's claims, never its sub.
 */
export function bitbucketIssuer(config: BitbucketConfig): IssuerModel {
  const audience = `ari:cloud:bitbucket::workspace/${config.workspaceUuid}`;
  return {
    kind: "bitbucket",
    label: "Bitbucket Pipelines",
    url:
      config.url ??
      `https://api.bitbucket.org/2.0/workspaces/${config.workspace}/pipelines-config/identity/oidc`,
    shared: false,
    claims: vocabulary([
      "accountUuid",
      "workspaceUuid",
      "repositoryUuid",
      "pipelineUuid",
      "stepUuid",
      "deploymentEnvironmentUuid",
      "branchName",
    ]),
    claimPrefixes: [],
    ownerPins: [],
    mutableNames: [],
    refClaims: ["branchName", "deploymentEnvironmentUuid"],
    audiences: { aws: audience, azure: audience, gcp: audience },
    gcpAudienceHttps: true,
    awsClaimKeys: new Set(config.awsClaimKeys ?? []),
  };
}
