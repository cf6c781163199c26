import type { IssuerConfigOf } from "./preset";
import type { IssuerModel } from "../issuer";
import { vocabulary } from "../issuer";

export const PULUMI_CLOUD_URL = "https://api.pulumi.com/oidc";

type PulumiCloudConfig = IssuerConfigOf<"pulumi-cloud">;

/**
 * Pulumi Deployments and Pulumi ESC cloud logins. Deployments tokens carry `org`, `project`,
 * `stack`, `operation` and `scope` and an audience of the organization name; ESC tokens carry
 * `current_env`, `root_env` and `trigger_user`, with audiences `aws:<org>`, `azure:<org>`,
 * `gcp:<org>`.
 *
 * @see https://www.pulumi.com/docs/pulumi-cloud/access-management/oidc/provider/
 */
export function pulumiCloudIssuer(config: PulumiCloudConfig): IssuerModel {
  const url = config.url ?? PULUMI_CLOUD_URL;
  const org = config.organization;
  const deployments = config.token === "deployments";
  // organization, project, stack and environment names never hold ':'
  const names = { excludes: ":" };
  return {
    kind: "pulumi-cloud",
    label: deployments ? "Pulumi Deployments" : "Pulumi ESC",
    url,
    shared: url === PULUMI_CLOUD_URL,
    claims: deployments
      ? vocabulary(["org", "project", "stack", "stackId", "operation", "scope"], {}, names)
      : vocabulary(["current_env", "root_env", "trigger_user"], {}, names),
    claimPrefixes: [],
    ...(deployments
      ? {
          subject: {
            separators: ":",
            cases: [
              {
                label: "a Pulumi deployment",
                when: {},
                parts: [
                  "pulumi:deploy:org:",
                  { claim: "org" },
                  ":project:",
                  { claim: "project" },
                  ":stack:",
                  { claim: "stack" },
                  ":operation:",
                  { claim: "operation" },
                  ":scope:",
                  { claim: "scope" },
                ],
              },
            ],
          },
        }
      : {}),
    ownerPins: [
      { claim: "org" },
      {
        claim: "sub",
        prefix: /^pulumi:(deploy|environments):(org|pulumi\.organization\.login):[^:]+:/,
      },
    ],
    audiencePinsOwner: true,
    audienceFixed: true,
    mutableNames: [],
    refClaims: deployments ? ["stack", "stackId"] : ["current_env", "root_env"],
    audiences: deployments
      ? { aws: org, azure: org, gcp: org }
      : { aws: `aws:${org}`, azure: `azure:${org}`, gcp: `gcp:${org}` },
    gcpAudienceHttps: true,
    sample: deployments
      ? {
          org,
          project: "platform",
          stack: "prod",
          stackId: `${org}/platform/prod`,
          operation: "update",
          scope: "write",
        }
      : {
          current_env: "platform/prod",
          root_env: "platform/prod",
          trigger_user: "dev",
          sub: `pulumi:environments:org:${org}:env:platform/prod`,
        },
    awsClaimKeys: new Set(config.awsClaimKeys ?? []),
  };
}
