/**
 * What IAM accepts of the inputs trustplane registers, each rule with where it is written (read
 * 2026-12-07). The schema, the grant checks and the Pulumi option checks use these, and
 * test/components/cloud-rules.test.ts holds every registered input to them: one table.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const IAM_LIMITS = {
  /** CreateRole `RoleName`: 1-64 of `[\w+=,.@-]`. */
  roleName: /^[\w+=,.@-]{1,64}$/,
  /** CreateRole `Path`: `/`, or `/…/` of printable ASCII, at most 512 characters. */
  rolePath: /^(\/|\/[\u0021-\u007e]{1,510}\/)$/,
  /** PutRolePolicy `PolicyName`: 1-128 of `[\w+=,.@-]`. */
  policyName: /^[\w+=,.@-]{1,128}$/,
  /** Role `MaxSessionDuration`, in seconds. */
  sessionDuration: { min: 3600, max: 43200 },
  /**
   * CreateOpenIDConnectProvider: `Url` 1-255 characters; `ClientIDList` at most 100 client IDs,
   * each 1-255 characters (the schema's `Audience` holds every audience to 255).
   *
   * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
   */
  providerUrlLength: 255,
  clientIds: 100,
  clientIdLength: 255,
  /**
   * A managed policy's ARN (AttachRolePolicy `PolicyArn`, CreateRole `PermissionsBoundary`):
   * `arn:<partition>:iam::<account>|aws:policy/<path/><name>`, the name 1-128 of `[\w+=,.@-]`.
   */
  policyArn:
    /^arn:(aws[a-z-]*):iam::(\d{12}|aws):policy\/((?:[\u0021-\u007e]*\/)?[\w+=,.@-]{1,128})$/,
  /** What a policy document may hold: tab, newlines and U+0020-U+00FF (quotas page). */
  policyCharacters: /^[\t\n\r\u0020-\u00ff]*$/,
  /**
   * Role trust policy characters (quota L-C07B4B0D): 2,048 by default, at most 8,192 on request
   * (domain facts, 2026-12 corrections).
   */
  trustPolicy: { default: 2048, max: 8192 },
  /** OIDC providers per account (quota L-858F3967): 100 by default, at most 700. */
  oidcProviders: { default: 100, max: 700 },
  /**
   * Managed policies attached to a role: 10 by default, at most 20 on request (IAM quotas table;
   * AWS Knowledge Center "iam-increase-policy-size": the default of 10 is raised by a quota
   * request to at most 20). The facts file's "default 20" (a secondary source) is the maximum.
   */
  managedPolicies: { default: 10, max: 20 },
  /**
   * The role's inline policies together, in characters other than white space (GetAccountSummary
   * `RolePolicySizeQuota`: "the aggregate of all inline policies embedded in an IAM role, in
   * non-whitespace characters"; the grammar notes: "Policy size calculations do not include
   * white space characters").
   */
  inlinePolicyCharacters: 10240,
  /**
   * Tags of roles and OIDC providers (TagRole, TagOpenIDConnectProvider): at most 50; keys 1-128
   * and values 0-256 characters of letters, separators, numbers and `_.:/=+-@`; keys starting
   * with `aws:`, in any case, are AWS's.
   *
   * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
   */
  tags: {
    count: 50,
    keyLength: 128,
    valueLength: 256,
    characters: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
    reservedKey: /^aws:/i,
  },
} as const;

/** The partition, account (`aws` for AWS managed) and `<path/>name` of a policy ARN, if it is one. */
export function policyArnParts(
  arn: string,
): { partition: string; account: string; name: string } | undefined {
  const m = IAM_LIMITS.policyArn.exec(arn);
  return m ? { partition: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/**
 * A policy document's size as IAM counts it: its JSON as the component sends it
 * (`JSON.stringify`, nothing between tokens) less every white space character, in strings too.
 */
export function policyCharacters(document: unknown): number {
  return JSON.stringify(document).replace(/\s/g, "").length;
}

/** Why IAM refuses a role or provider tag, or undefined when it takes it. */
export function iamTagProblem(key: string, value: string): string | undefined {
  const { tags } = IAM_LIMITS;
  // lengths count characters, not UTF-16 units
  const keyLength = [...key].length;
  if (keyLength < 1 || keyLength > tags.keyLength) return `keys are 1-${tags.keyLength} characters`;
  if ([...value].length > tags.valueLength)
    return `values are at most ${tags.valueLength} characters`;
  if (tags.reservedKey.test(key)) return 'keys starting with "aws:" are reserved for AWS';
  if (!tags.characters.test(key) || !tags.characters.test(value)) {
    return "keys and values hold only letters, digits, spaces and _ . : / = + - @";
  }
  return undefined;
}
