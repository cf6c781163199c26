import type { IssuerConfigOf } from "./preset";
import type { IssuerModel } from "../issuer";
import { vocabulary } from "../issuer";

type BitbucketConfig = IssuerConfigOf<"bitbucket">;

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
    sample: {
      workspaceUuid: config.workspaceUuid,
      repositoryUuid: "{4b6c8d0e-2f1a-4c3b-9d5e-7f6a8b0c2d1e}",
      pipelineUuid: "{5c7d9e1f-3a2b-4d4c-8e6f-8a7b9c1d3e2f}",
      stepUuid: "{6d8e0f2a-4b3c-4e5d-9f7a-9b8c0d2e4f3a}",
      branchName: "main",
      sub: "{4b6c8d0e-2f1a-4c3b-9d5e-7f6a8b0c2d1e}:{6d8e0f2a-4b3c-4e5d-9f7a-9b8c0d2e4f3a}",
    },
    awsClaimKeys: new Set(config.awsClaimKeys ?? []),
  };
}
