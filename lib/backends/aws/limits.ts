/**
 * What IAM accepts of the inputs trustplane registers, each rule with where it is written (read
 * 2026-12-07). The schema, the grant checks and the Pulumi option checks use these, and
 * test/components/cloud-rules.test.ts holds every registered input to them: one table.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const IAM_LIMITS = {
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
} as const;

/** The partition, account (`aws` for AWS managed) and `<path/>name` of a policy ARN, if it is one. */
export function policyArnParts(
  arn: string,
): { partition: string; account: string; name: string } | undefined {
  const m = IAM_LIMITS.policyArn.exec(arn);
  return m ? { partition: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}
