import type { IssuerConfigOf } from "./preset";
import type { IssuerModel } from "../issuer";
import { vocabulary } from "../issuer";
import type { SubjectPart } from "../template";

export const BUILDKITE_URL = "https://agent.buildkite.com";

/** @see https://buildkite.com/docs/agent/v3/cli-oidc (the `--claim` ones only when requested) */
const CLAIMS = [
  "organization_slug",
  "organization_id",
  "pipeline_slug",
  "pipeline_id",
  "build_branch",
  "build_tag",
  "build_commit",
  "build_id",
  "build_source",
  "job_id",
  "agent_id",
  "cluster_id",
  "cluster_name",
  "queue_id",
  "queue_key",
  "runner_environment",
  "step_key",
];

type BuildkiteConfig = IssuerConfigOf<"buildkite">;

/**
 * The STS condition keys of agent.buildkite.com (`agent.buildkite.com:<claim>`).
 *
 * Source: the AWS Service Authorization Reference for AWS STS (sts:AssumeRoleWithWebIdentity
 * condition keys), as generated into udondan/iam-floyd `lib/generated/policy-statements/sts.ts`
 * on 2026-08-11; trust-time only (not in the session).
 */
const AWS_KEYS = [
  "build_branch",
  "cluster_id",
  "cluster_name",
  "organization_id",
  "organization_slug",
  "pipeline_id",
  "pipeline_slug",
];

/**
 * Buildkite agents, one issuer for every organization. sub is
 * `organization:<org>:pipeline:<pipeline>:ref:<ref>:commit:<sha>:step:<key>` where ref is
 * `refs/tags/<tag>` for tag builds and `refs/heads/<branch>` otherwise.
 */
export function buildkiteIssuer(config: BuildkiteConfig): IssuerModel {
  const url = config.url ?? BUILDKITE_URL;
  const tail = (ref: SubjectPart[]): SubjectPart[] => [
    "organization:",
    { claim: "organization_slug" },
    ":pipeline:",
    { claim: "pipeline_slug" },
    ":ref:",
    ...ref,
    ":commit:",
    { claim: "build_commit" },
    ":step:",
    { claim: "step_key" },
  ];
  return {
    kind: "buildkite",
    label: "Buildkite",
    url,
    shared: url === BUILDKITE_URL,
    // slugs, IDs and git refs never hold ':'; step keys may
    claims: vocabulary(
      CLAIMS,
      { step_key: { excludes: "" }, cluster_name: { excludes: "" } },
      { excludes: ":" },
    ),
    claimPrefixes: [],
    subject: {
      separators: ":",
      cases: [
        {
          label: "a tag build",
          when: { build_tag: { kind: "present" } },
          parts: tail(["refs/tags/", { claim: "build_tag" }]),
        },
        {
          label: "a branch build",
          when: { build_tag: { kind: "absent" } },
          parts: tail(["refs/heads/", { claim: "build_branch" }]),
        },
      ],
    },
    ownerPins: [
      { claim: "organization_slug" },
      { claim: "organization_id" },
      { claim: "sub", prefix: /^organization:[^:]+:/ },
    ],
    mutableNames: [
      { name: "organization_slug", id: "organization_id" },
      { name: "pipeline_slug", id: "pipeline_id" },
    ],
    mutableFix:
      "only GCP can check them: Buildkite builds sub from slugs, and AWS and Azure match sub only",
    refClaims: ["build_branch", "build_tag"],
    audiences: {},
    gcpAudienceHttps: true,
    sample: {
      organization_slug: "acme",
      organization_id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
      pipeline_slug: "deploy",
      pipeline_id: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
      build_branch: "main",
      build_commit: "5e1f3c9a2b7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f",
      build_source: "webhook",
      step_key: "deploy",
      job_id: "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
      agent_id: "3a4b5c6d-7e8f-4a9b-8c1d-2e3f4a5b6c7d",
      runner_environment: "self-hosted",
    },
    awsClaimKeys: new Set(config.awsClaimKeys ?? (url === BUILDKITE_URL ? AWS_KEYS : [])),
    awsRequiresSub: true,
  };
}
