import { z } from "zod";
import { AwsTarget, awsGrantOptions } from "../backends/aws/options";
import { AzureRole, AzureTarget, azureGrantOptions } from "../backends/azure/options";
import { GcpTarget, gcpGrantOptions } from "../backends/gcp/options";

/**
 * The intent document, version 1: the CLI's file format and the Pulumi component's args.
 * Every key here is a public contract; add keys, never rename them.
 */

const NAME_RULE = "use lowercase letters, digits and single dashes, starting with a letter";

/** Issuer, target and identity names: they become parts of resource names. */
export const Name = z
  .string()
  .max(48, "names are at most 48 characters")
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, NAME_RULE);

// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

/** A claim value in a selector. Real claims never hold control characters or megabytes. */
const ClaimValue = z
  .string()
  .min(1, "claim values are never empty")
  .max(1000, "claim values are at most 1000 characters")
  .refine(noControl, "claim values never contain control characters such as newlines or tabs");

const ClaimName = z
  .string()
  .min(1)
  .max(200, "claim names are at most 200 characters")
  .refine(noControl, "claim names never contain control characters");

/**
 * What a selector demands of one claim: a plain string is exact; `oneOf` lists exact values;
 * `pattern` is a glob (`*` any run of characters, `?` one character); `absent` requires the
 * claim to be missing from the token.
 */
export const Matcher = z.union(
  [
    ClaimValue,
    z.strictObject({ oneOf: z.array(ClaimValue).min(1, "oneOf needs at least one value") }),
    z.strictObject({ pattern: ClaimValue }),
    z.strictObject({ absent: z.literal(true) }),
  ],
  { error: 'a matcher is a string, {oneOf: [...]}, {pattern: "..."} or {absent: true}' },
);

/** Claim name → matcher; entries are AND'ed. A token matches when every entry holds. */
export const Selector = z
  .record(ClaimName, Matcher)
  .refine(
    (s) => Object.keys(s).length > 0,
    "a selector needs at least one claim: an empty one would accept every token of the issuer",
  );

const HttpsUrl = z
  .string()
  .max(600, "issuer URLs are at most 600 characters")
  .refine(
    isIssuerUrl,
    "issuer URLs start with https:// and have a host, no port, query or fragment",
  );

function isIssuerUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (
      u.protocol === "https:" &&
      value.startsWith("https://") &&
      u.hostname !== "" &&
      u.port === "" &&
      u.search === "" &&
      u.hash === "" &&
      u.username === "" &&
      !/\s/.test(value)
    );
  } catch {
    return false;
  }
}

const Audience = z
  .string()
  .min(1)
  .max(255, "audiences are at most 255 characters (the AWS and GCP limit)")
  .refine(noControl, "audiences never contain control characters");

const issuerCommon = {
  /** The issuer URL (`iss`). @default - the issuer's public URL */
  url: HttpsUrl.optional(),
  /** Audiences tokens carry for each cloud. @default - per issuer and cloud, see docs/intent.md */
  audiences: z.strictObject({ aws: Audience, azure: Audience, gcp: Audience }).partial().optional(),
  /** Claims AWS STS can match in a trust policy for this issuer, besides sub and aud. */
  awsClaimKeys: z.array(ClaimName).optional(),
};

const GithubIssuer = z.strictObject({
  kind: z.literal("github"),
  ...issuerCommon,
  /** GitHub Enterprise Cloud's unique issuer: `https://token.actions.githubusercontent.com/<slug>`. */
  enterpriseSlug: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, "enterprise slugs are letters, digits and dashes")
    .optional(),
  /** `immutable`: sub starts `repo:OWNER@OWNER_ID/REPO@REPO_ID:`. @default "legacy" */
  subjectFormat: z.enum(["legacy", "immutable"]).default("legacy"),
  /** The repository's custom sub template (`include_claim_keys`), e.g. `[repo, context, job_workflow_ref]`. */
  subjectClaims: z.array(ClaimName).min(1).optional(),
  /** Events whose jobs without an environment get sub `repo:O/R:pull_request`. @default ["pull_request"] */
  pullRequestEvents: z.array(ClaimValue).min(1).optional(),
});

const GitlabIssuer = z.strictObject({
  kind: z.literal("gitlab"),
  ...issuerCommon,
  /** The project's `ci_id_token_sub_claim_components`. @default ["project_path", "ref_type", "ref"] */
  subjectClaims: z.array(ClaimName).min(1).optional(),
});

const TerraformCloudIssuer = z.strictObject({
  kind: z.literal("terraform-cloud"),
  ...issuerCommon,
});

const PulumiCloudIssuer = z.strictObject({
  kind: z.literal("pulumi-cloud"),
  ...issuerCommon,
  /** The Pulumi organization: it is the tokens' audience. */
  organization: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/,
      "organization names are letters, digits, '-', '_' and '.'",
    ),
  /** Which Pulumi Cloud feature requests the tokens. @default "deployments" */
  token: z.enum(["deployments", "environments"]).default("deployments"),
});

const KubernetesIssuer = z.strictObject({
  kind: z.literal("kubernetes"),
  ...issuerCommon,
  url: HttpsUrl,
});

const Uuid = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    "expected a lowercase UUID",
  );

const CircleciIssuer = z.strictObject({
  kind: z.literal("circleci"),
  ...issuerCommon,
  /** The CircleCI organization ID; the issuer is `https://oidc.circleci.com/org/<id>`. */
  organizationId: Uuid,
  /** 1: `$CIRCLE_OIDC_TOKEN`, 2: `$CIRCLE_OIDC_TOKEN_V2` (sub adds vcs-origin and vcs-ref). @default 2 */
  tokenVersion: z.union([z.literal(1), z.literal(2)]).default(2),
});

const BuildkiteIssuer = z.strictObject({ kind: z.literal("buildkite"), ...issuerCommon });

const BitbucketIssuer = z.strictObject({
  kind: z.literal("bitbucket"),
  ...issuerCommon,
  /** The workspace slug in the issuer URL. */
  workspace: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,61}$/,
      "workspace slugs are lowercase letters, digits, '-' and '_'",
    ),
  /** The workspace UUID, with braces: it makes the default audience. */
  workspaceUuid: z
    .string()
    .regex(/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/, "expected {uuid}"),
});

const OidcIssuer = z.strictObject({
  kind: z.literal("oidc"),
  ...issuerCommon,
  url: HttpsUrl,
  /** The claims selectors may use besides sub. @default - sub only */
  claims: z.array(ClaimName).default([]),
  /** How the issuer builds sub, e.g. `ns:{namespace}:app:{app}`; lets sub stand in for those claims. */
  subjectTemplate: z.string().min(1).max(600).optional(),
  /**
   * The characters each claim's values are made of, as the inside of a regular-expression
   * character class (`a-z0-9-`). Without one a value may hold anything, the template's literals
   * included, so sub decides a claim only where that cannot shift it.
   */
  alphabets: z.record(ClaimName, z.string().min(1).max(200)).optional(),
  /** Whether other organisations share this issuer; then every selector must pin an `ownerClaims` claim. */
  shared: z.boolean().default(false),
  ownerClaims: z.array(ClaimName).default([]),
});

export const Issuer = z.discriminatedUnion("kind", [
  GithubIssuer,
  GitlabIssuer,
  TerraformCloudIssuer,
  PulumiCloudIssuer,
  KubernetesIssuer,
  CircleciIssuer,
  BuildkiteIssuer,
  BitbucketIssuer,
  OidcIssuer,
]);

export const Target = z.discriminatedUnion("cloud", [AwsTarget, AzureTarget, GcpTarget]);

export const Grant = z.strictObject({
  target: z.string(),
  /** The `aud` tokens must carry for this grant. @default - per issuer and cloud */
  audience: Audience.optional(),
  ...awsGrantOptions,
  // azure (objects) and gcp (role names)
  roles: z
    .array(
      z.union([z.string().min(1).max(300), AzureRole], {
        error: "a role is a GCP role name such as roles/run.admin, or an Azure {role, scope}",
      }),
    )
    .optional(),
  ...azureGrantOptions,
  ...gcpGrantOptions,
});

const AwsRegion = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "expected an AWS region such as eu-west-1");

/** Where the app team's Terraform keeps its state, through this identity's grant in the target's cloud. */
const Backend = z.strictObject({
  /** The grant whose cloud holds the state: `s3` for AWS, `azurerm` for Azure, `gcs` for GCP. */
  target: z.string(),
  /** s3 and gcs: the bucket. */
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, "bucket names are 3-222 of [a-z0-9._-]")
    .optional(),
  /** s3 and azurerm: the state object's key, e.g. `api/terraform.tfstate`. */
  key: z
    .string()
    .min(1)
    .max(1024)
    .refine(noControl, "keys never contain control characters")
    .optional(),
  /** s3: the bucket's region. @default - handoff.awsRegion */
  region: AwsRegion.optional(),
  /** azurerm: the storage account. */
  storageAccount: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, "storage account names are 3-24 lowercase letters and digits")
    .optional(),
  /** azurerm: the blob container. */
  container: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "container names are 3-63 of [a-z0-9-]")
    .optional(),
  /** gcs: the prefix of the state objects. */
  prefix: z
    .string()
    .min(1)
    .max(1024)
    .refine(noControl, "prefixes never contain control characters")
    .optional(),
});

/** What `trustplane render` writes for the app team that runs this identity's jobs. */
export const Handoff = z.strictObject({
  /** The CI the jobs run in. @default - github, gitlab or hcp-terraform by issuer kind; none otherwise */
  ci: z.enum(["github", "gitlab", "hcp-terraform", "none"]).optional(),
  /** The grants the Terraform configuration uses, one per cloud. @default - every grant, when no cloud has two */
  targets: z.array(z.string()).min(1).optional(),
  /** The region of the AWS provider (and of an s3 backend without its own). */
  awsRegion: AwsRegion.optional(),
  backend: Backend.optional(),
  /** Where the job (or pod) keeps each cloud's token as `<target>.jwt`, for CIs without login actions. @default "/tmp/trustplane" */
  tokenDirectory: z
    .string()
    .regex(/^\/[A-Za-z0-9._/-]*$/, "an absolute path of letters, digits, '.', '_', '-' and '/'")
    .optional(),
});

export const Identity = z.strictObject({
  name: Name,
  description: z.string().max(256).optional(),
  /** The name of an entry in `issuers`. */
  issuer: z.string(),
  /** OR of selectors: a token is trusted when it matches any of them. */
  subjects: z.array(Selector).min(1, "an identity needs at least one selector"),
  grants: z.array(Grant).min(1, "an identity needs at least one grant"),
  /** What `trustplane render` writes for the app team. */
  handoff: Handoff.optional(),
});

export const IntentDocument = z.strictObject({
  version: z.literal(1, "set version: 1, the version of the intent document this trustplane reads"),
  issuers: z.record(Name, Issuer),
  targets: z.record(Name, Target),
  identities: z.array(Identity),
});

/** What users write. */
export type IntentDocument = z.input<typeof IntentDocument>;
/** The document after defaults. */
export type ParsedDocument = z.output<typeof IntentDocument>;
export type IssuerConfig = z.output<typeof Issuer>;
export type TargetConfig = z.output<typeof Target>;
export type GrantConfig = z.output<typeof Grant>;
export type IdentityConfig = z.output<typeof Identity>;
export type HandoffConfig = z.output<typeof Handoff>;
export type BackendConfig = z.output<typeof Backend>;
export type MatcherConfig = z.output<typeof Matcher>;
