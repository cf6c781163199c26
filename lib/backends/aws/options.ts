import { z } from "zod";

/** An AWS account: a target with `cloud: aws`. */
export const AwsTarget = z.strictObject({
  cloud: z.literal("aws"),
  accountId: z.string().regex(/^\d{12}$/, "AWS account IDs are 12 digits, written as a string"),
  /** @default "aws" */
  partition: z.enum(["aws", "aws-us-gov", "aws-cn"]).default("aws"),
  /** The account's role trust policy size quota (IAM `L-C07B4B0D`, at most 8,192). @default 2048 */
  trustPolicyQuota: z
    .number()
    .int()
    .min(1)
    .max(8192, "IAM raises the trust policy quota (L-C07B4B0D) to at most 8192 characters")
    .default(2048),
  /** The account's OIDC provider quota (IAM `L-858F3967`, at most 700). @default 100 */
  oidcProviderQuota: z
    .number()
    .int()
    .min(1)
    .max(700, "IAM raises the OIDC provider quota (L-858F3967) to at most 700")
    .default(100),
});

const Arn = z
  .string()
  .regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$/, "expected an ARN");

/** The grant keys only AWS reads: the role and what it may do. */
export const awsGrantOptions = {
  managedPolicyArns: z
    .array(Arn)
    .max(20, "AWS attaches at most 20 managed policies to a role")
    .optional(),
  inlinePolicies: z
    .record(
      z.string().regex(/^[\w+=,.@-]{1,128}$/, "policy names are 1-128 of [A-Za-z0-9+=,.@_-]"),
      z.record(z.string(), z.unknown()),
    )
    .optional(),
  permissionsBoundary: Arn.optional(),
  maxSessionDuration: z
    .number()
    .int()
    .min(3600, "AWS sessions last at least 3600 seconds")
    .max(43200, "AWS sessions last at most 43200 seconds (12 hours)")
    .optional(),
  roleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, "role names are 1-64 of [A-Za-z0-9+=,.@_-]")
    .optional(),
  rolePath: z
    .string()
    .max(512)
    .regex(/^\/([\u0021-\u007e]+\/)?$/, "role paths start and end with '/'")
    .optional(),
};
