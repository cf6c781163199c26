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
