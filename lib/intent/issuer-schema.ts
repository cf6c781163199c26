import { z } from "zod";
import { Audience, ClaimName, ClaimValue, HttpsUrl } from "./values";

/** The issuers of the intent document, one schema per `kind`. */

const URL_WORDS =
  "The issuer URL, exactly as tokens carry it in `iss`: https, a host, no port, query, fragment or trailing '/'.";

const issuerCommon = {
  url: HttpsUrl.optional().describe(`${URL_WORDS} Defaults to the issuer's public URL.`),
  audiences: z
    .strictObject({
      aws: Audience.describe("The `aud` of tokens for AWS grants."),
      azure: Audience.describe("The `aud` of tokens for Azure grants."),
      gcp: Audience.describe("The `aud` of tokens for GCP grants."),
    })
    .partial()
    .optional()
    .describe(
      "The audience (`aud`) tokens carry for each cloud, where it is not trustplane's default for this issuer (docs/intent.md). A grant's `audience` overrides it.",
    ),
  awsClaimKeys: z
    .array(ClaimName)
    .optional()
    .describe(
      "The claims AWS STS can match in a trust policy for this issuer besides sub and aud, where AWS documents other keys than trustplane knows (docs/compilation.md).",
    ),
};

export const GithubIssuer = z
  .strictObject({
    kind: z.literal("github").describe("GitHub Actions."),
    ...issuerCommon,
    url: issuerCommon.url.describe(
      `${URL_WORDS} GitHub Enterprise Server: \`https://HOST/_services/token\`. Defaults to \`https://token.actions.githubusercontent.com\`.`,
    ),
    enterpriseSlug: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, "enterprise slugs are letters, digits and dashes")
      .optional()
      .describe(
        "GitHub Enterprise Cloud's unique issuer: tokens come from `https://token.actions.githubusercontent.com/<slug>`.",
      ),
    subjectFormat: z
      .enum(["legacy", "immutable"])
      .default("legacy")
      .describe(
        "The layout of `sub`: `legacy` starts `repo:OWNER/REPO:`; `immutable` starts `repo:OWNER@OWNER_ID/REPO@REPO_ID:`, GitHub's default for repositories created, renamed or transferred since 2026-07-15. With `immutable`, selectors pin `repository_owner_id` and `repository_id`.",
      ),
    subjectClaims: z
      .array(ClaimName)
      .min(1)
      .optional()
      .meta({
        description:
          "The repository's custom `sub` template (`include_claim_keys`), when it has one.",
        examples: [["repo", "context", "job_workflow_ref"]],
      }),
    pullRequestEvents: z
      .array(ClaimValue)
      .min(1)
      .optional()
      .describe(
        'The events whose jobs without an environment get `sub` `repo:O/R:pull_request`. Defaults to `["pull_request"]`.',
      ),
  })
  .describe("GitHub Actions (github.com, GitHub Enterprise Cloud or Server).");

export const GitlabIssuer = z
  .strictObject({
    kind: z.literal("gitlab").describe("GitLab CI/CD."),
    ...issuerCommon,
    url: issuerCommon.url.describe(
      `${URL_WORDS} Self-managed GitLab: its URL. Defaults to \`https://gitlab.com\`.`,
    ),
    subjectClaims: z
      .array(ClaimName)
      .min(1)
      .optional()
      .describe(
        'The project\'s `ci_id_token_sub_claim_components`. Defaults to `["project_path", "ref_type", "ref"]`.',
      ),
  })
  .describe("GitLab CI/CD (gitlab.com or self-managed).");

export const TerraformCloudIssuer = z
  .strictObject({
    kind: z.literal("terraform-cloud").describe("HCP Terraform (Terraform Cloud) or Enterprise."),
    ...issuerCommon,
    url: issuerCommon.url.describe(
      `${URL_WORDS} Terraform Enterprise: its URL. Defaults to \`https://app.terraform.io\`.`,
    ),
  })
  .describe("HCP Terraform workspaces' dynamic provider credentials.");

export const PulumiCloudIssuer = z
  .strictObject({
    kind: z.literal("pulumi-cloud").describe("Pulumi Cloud."),
    ...issuerCommon,
    organization: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/,
        "organization names are letters, digits, '-', '_' and '.'",
      )
      .describe("The Pulumi organization: the tokens' audience is made from it."),
    token: z
      .enum(["deployments", "environments"])
      .default("deployments")
      .describe(
        "Which Pulumi Cloud feature requests the tokens: `deployments` (Pulumi Deployments) or `environments` (Pulumi ESC).",
      ),
  })
  .describe("Pulumi Cloud's OIDC tokens (Deployments and ESC).");

export const KubernetesIssuer = z
  .strictObject({
    kind: z.literal("kubernetes").describe("A Kubernetes cluster's service account tokens."),
    ...issuerCommon,
    url: HttpsUrl.meta({
      description: `${URL_WORDS} EKS: the cluster's OIDC issuer URL.`,
      examples: ["https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"],
    }),
  })
  .describe(
    "A Kubernetes cluster (EKS, AKS, GKE or any other) issuing projected service account tokens; select `sub: system:serviceaccount:NAMESPACE:NAME`.",
  );

const Uuid = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    "expected a lowercase UUID",
  );

export const CircleciIssuer = z
  .strictObject({
    kind: z.literal("circleci").describe("CircleCI."),
    ...issuerCommon,
    organizationId: Uuid.describe(
      "The CircleCI organization ID; tokens come from `https://oidc.circleci.com/org/<id>`.",
    ),
    tokenVersion: z
      .union([z.literal(1), z.literal(2)])
      .default(2)
      .describe(
        "1: `$CIRCLE_OIDC_TOKEN`; 2: `$CIRCLE_OIDC_TOKEN_V2`, whose `sub` adds vcs-origin and vcs-ref.",
      ),
  })
  .describe("CircleCI: one issuer per organization.");

export const BuildkiteIssuer = z
  .strictObject({ kind: z.literal("buildkite").describe("Buildkite."), ...issuerCommon })
  .describe("Buildkite pipelines (`buildkite-agent oidc request-token`).");

export const BitbucketIssuer = z
  .strictObject({
    kind: z.literal("bitbucket").describe("Bitbucket Pipelines."),
    ...issuerCommon,
    workspace: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_-]{0,61}$/,
        "workspace slugs are lowercase letters, digits, '-' and '_'",
      )
      .describe("The workspace slug: part of the issuer URL."),
    workspaceUuid: z
      .string()
      .regex(
        /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/,
        "expected {uuid}",
      )
      .describe("The workspace UUID, with its braces: the default audience is made from it."),
  })
  .describe("Bitbucket Pipelines: one issuer per workspace; its `sub` layout is not documented.");

export const OidcIssuer = z
  .strictObject({
    kind: z.literal("oidc").describe("Any other OIDC issuer."),
    ...issuerCommon,
    url: HttpsUrl.describe(URL_WORDS),
    claims: z
      .array(ClaimName)
      .default([])
      .describe("The claims selectors may use besides `sub`. Defaults to `sub` only."),
    subjectTemplate: z
      .string()
      .min(1)
      .max(600)
      .optional()
      .meta({
        description:
          "How the issuer builds `sub` from other claims (`{claim}` placeholders): it lets `sub` stand in for those claims where a cloud cannot read them.",
        examples: ["ns:{namespace}:app:{app}"],
      }),
    alphabets: z
      .record(ClaimName, z.string().min(1).max(200))
      .optional()
      .meta({
        description:
          "The characters each claim's values are made of, as the inside of a regular-expression character class. Without one a value may hold anything, the template's literals included, so `sub` decides a claim only where that cannot shift it.",
        examples: [{ namespace: "a-z0-9-" }],
      }),
    shared: z
      .boolean()
      .default(false)
      .describe(
        "Whether other organisations' workloads get tokens from this issuer; then every selector must pin one of `ownerClaims`.",
      ),
    ownerClaims: z
      .array(ClaimName)
      .default([])
      .describe("The claims that name the owner (organisation, tenant) on a shared issuer."),
  })
  .describe("Any OIDC issuer trustplane has no preset for: declare its claims and `sub` layout.");

export const Issuer = z
  .discriminatedUnion("kind", [
    GithubIssuer,
    GitlabIssuer,
    TerraformCloudIssuer,
    PulumiCloudIssuer,
    KubernetesIssuer,
    CircleciIssuer,
    BuildkiteIssuer,
    BitbucketIssuer,
    OidcIssuer,
  ])
  .describe("Who signs the tokens, by `kind`.");
