import type { CircleciIssuer } from "../../intent/document";
import type { IssuerConfigOf } from "./preset";
import type { IssuerModel } from "../issuer";
import { vocabulary } from "../issuer";
import type { SubjectPart } from "../template";

type CircleciConfig = IssuerConfigOf<"circleci">;

/**
 * CircleCI: one issuer per organization, so the organization is pinned by the issuer itself.
 * sub is `org/<org>/project/<project>/user/<user>`, and version 2 tokens add
 * `/vcs-origin/<origin>/vcs-ref/<ref>` (except for custom webhook triggers).
 *
 * @see https://circleci.com/docs/openid-connect-tokens/
 */
export function circleciIssuer(config: CircleciConfig): IssuerModel {
  const org = config.organizationId;
  const base: SubjectPart[] = [
    `org/${org}/project/`,
    { claim: "oidc.circleci.com/project-id" },
    "/user/",
    { opaque: "user", excludes: "/:" },
  ];
  const v2 = [
    ...base,
    "/vcs-origin/",
    { claim: "oidc.circleci.com/vcs-origin" },
    "/vcs-ref/",
    { claim: "oidc.circleci.com/vcs-ref" },
  ];
  const present = { kind: "present" as const };
  const absent = { kind: "absent" as const };
  return {
    kind: "circleci",
    label: "CircleCI",
    url: config.url ?? `https://oidc.circleci.com/org/${org}`,
    shared: false,
    claims: vocabulary([], {
      "oidc.circleci.com/project-id": { excludes: "/:" },
      "oidc.circleci.com/org-id": { excludes: "/:" },
      "oidc.circleci.com/vcs-origin": { excludes: ":" },
      "oidc.circleci.com/vcs-ref": { excludes: ":" },
      "oidc.circleci.com/pipeline-definition-id": { excludes: "/:" },
    }),
    unselectable: new Map([
      ["oidc.circleci.com/context-ids", "a list (the IDs of the contexts the job uses)"],
      ["oidc.circleci.com/ssh-rerun", "a boolean (whether the job is an SSH rerun)"],
    ]),
    claimPrefixes: [],
    subject: {
      separators: "/",
      cases:
        config.tokenVersion === 2
          ? [
              {
                label: "a job with a VCS origin",
                when: { "oidc.circleci.com/vcs-origin": present },
                parts: v2,
              },
              {
                label: "a job started by a custom webhook",
                when: { "oidc.circleci.com/vcs-origin": absent },
                parts: base,
              },
            ]
          : [{ label: "a CircleCI job", when: {}, parts: base }],
    },
    ownerPins: [],
    mutableNames: [],
    refClaims: ["oidc.circleci.com/vcs-ref"],
    audiences: { aws: org, azure: org, gcp: org },
    gcpAudienceHttps: true,
    sample: {
      "oidc.circleci.com/project-id": "2f4e6a8c-0b1d-4f3e-9a7c-5b2d4f6e8a0c",
      "oidc.circleci.com/org-id": org,
      "oidc.circleci.com/vcs-origin": "github.com/acme/api",
      "oidc.circleci.com/vcs-ref": "refs/heads/main",
    },
    // the one STS condition key of CircleCI's issuers: `oidc.circleci.com/org/<id>:oidc.circleci.com/project-id`
    // (the AWS Service Authorization Reference for STS, via udondan/iam-floyd, 2026-08-11)
    awsClaimKeys: new Set(
      config.awsClaimKeys ?? (config.url === undefined ? ["oidc.circleci.com/project-id"] : []),
    ),
  };
}

/** CircleCI's issuer names the organization: `https://oidc.circleci.com/org/<organization ID>`. */
export function recognizeCircleci(url: string): CircleciIssuer | undefined {
  const org = /^https:\/\/oidc\.circleci\.com\/org\/([0-9a-f-]{36})$/.exec(url)?.[1];
  return org ? { kind: "circleci", organizationId: org } : undefined;
}
