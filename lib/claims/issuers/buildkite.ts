import type { IssuerConfig } from "../../intent/schema";
import type { IssuerModel } from "../issuer";
import { AWS_AUDIENCE, AZURE_AUDIENCE, vocabulary } from "../issuer";
import type { SubjectPart } from "../subject";

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

type BuildkiteConfig = Extract<IssuerConfig, { kind: "buildkite" }>;

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
    audiences: { aws: AWS_AUDIENCE, azure: AZURE_AUDIENCE },
    gcpAudienceHttps: true,
    awsClaimKeys: new Set(config.awsClaimKeys ?? []),
  };
}
