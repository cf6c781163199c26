/**
 * What GCP accepts of the inputs trustplane registers, each rule with where it is written (read
 * 2026-12-07; the provider's field rules as terraform-provider-google documents them). The grant
 * checks and the evaluator use these, and test/components/cloud-rules.test.ts holds every
 * registered input to them: one table.
 *
 * @see https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/iam_workload_identity_pool_provider
 */
export const GCP_LIMITS = {
  /** Pool and provider IDs: 4-32 of `[a-z0-9-]`, no dash at either end, no `gcp-` prefix. */
  id: /^[a-z0-9-]{4,32}$/,
  reservedIdPrefix: "gcp-",
  /** A pool's display name: at most 32 characters; a description at most 256. */
  displayNameLength: 32,
  descriptionLength: 256,
  /** The attribute condition: at most 4,096 characters. */
  conditionLength: 4096,
  /**
   * The attribute mapping: `google.subject` required (OIDC providers); at most 50 custom
   * attributes named `attribute.<[a-z0-9_]{1,100}>`; each expression at most 2,048 characters;
   * all mapped attributes of a token at most 8 KB.
   */
  mapping: {
    attributes: 50,
    attributeName: /^attribute\.[a-z0-9_]{1,100}$/,
    expressionLength: 2048,
    mappedBytes: 8192,
  },
  /** `google.subject` of a token: at most 127 bytes, or the exchange fails. */
  subjectBytes: 127,
  /** OIDC `allowedAudiences`: at most 10, each at most 256 characters. */
  allowedAudiences: { count: 10, length: 256 },
  /**
   * A service account ID: 6-30 lowercase letters, digits and dashes, a letter first, no dash
   * last; its display name at most 100 characters.
   *
   * @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/create
   */
  serviceAccountId: /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
  serviceAccountDisplayNameLength: 100,
} as const;
