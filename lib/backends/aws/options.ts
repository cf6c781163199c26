import { z } from "zod";
import { IAM_LIMITS } from "./limits";

const { trustPolicy, oidcProviders, managedPolicies, sessionDuration } = IAM_LIMITS;

/** An AWS account: a target with `cloud: aws`. */
export const AwsTarget = z
  .strictObject({
    cloud: z.literal("aws").describe("An AWS account."),
    accountId: z
      .string()
      .regex(/^\d{12}$/, "AWS account IDs are 12 digits, written as a string")
      .meta({
        description: "The account ID: 12 digits, quoted in YAML.",
        examples: ["111111111111"],
      }),
    partition: z
      .enum(["aws", "aws-us-gov", "aws-cn"])
      .default("aws")
      .describe("The account's partition: it is part of every ARN."),
    trustPolicyQuota: z
      .number()
      .int()
      .min(1)
      .max(
        trustPolicy.max,
        `IAM raises the trust policy quota (L-C07B4B0D) to at most ${trustPolicy.max} characters`,
      )
      .default(trustPolicy.default)
      .describe(
        "The account's role trust policy size quota in characters (IAM quota `L-C07B4B0D`, at most 8,192): trust policies larger than it are refused.",
      ),
    oidcProviderQuota: z
      .number()
      .int()
      .min(1)
      .max(
        oidcProviders.max,
        `IAM raises the OIDC provider quota (L-858F3967) to at most ${oidcProviders.max}`,
      )
      .default(oidcProviders.default)
      .describe("The account's IAM OIDC provider quota (IAM quota `L-858F3967`, at most 700)."),
    managedPolicyQuota: z
      .number()
      .int()
      .min(1)
      .max(
        managedPolicies.max,
        `IAM raises the quota of managed policies per role to at most ${managedPolicies.max}`,
      )
      .default(managedPolicies.default)
      .describe(
        'The account\'s quota of managed policies attached to a role (IAM quota "Managed policies per role": 10 by default, at most 20): grants attaching more are refused.',
      ),
  })
  .describe("An AWS account: roles with trust policies for an IAM OIDC provider per issuer.");

const PolicyArn = z
  .string()
  .regex(
    IAM_LIMITS.policyArn,
    "expected a policy ARN: arn:<partition>:iam::<account>:policy/<name>, or arn:<partition>:iam::aws:policy/<name> for an AWS managed policy",
  );

/** The grant keys only AWS reads: the role and what it may do. */
export const awsGrantOptions = {
  managedPolicyArns: z
    .array(PolicyArn)
    .max(
      managedPolicies.max,
      `IAM attaches at most ${managedPolicies.max} managed policies to a role, with its quota raised`,
    )
    .optional()
    .meta({
      description: "AWS: the managed policies attached to the role.",
      examples: [["arn:aws:iam::aws:policy/ReadOnlyAccess"]],
    }),
  inlinePolicies: z
    .record(
      z.string().regex(IAM_LIMITS.policyName, "policy names are 1-128 of [A-Za-z0-9+=,.@_-]"),
      z.record(z.string(), z.unknown()),
    )
    .optional()
    .meta({
      description: "AWS: the role's inline policies, by name: IAM policy documents.",
      examples: [
        {
          "read-state": {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-state/*" },
            ],
          },
        },
      ],
    }),
  permissionsBoundary: PolicyArn.optional().describe(
    "AWS: the managed policy that bounds the role's permissions.",
  ),
  maxSessionDuration: z
    .number()
    .int()
    .min(sessionDuration.min, `AWS sessions last at least ${sessionDuration.min} seconds`)
    .max(sessionDuration.max, `AWS sessions last at most ${sessionDuration.max} seconds (12 hours)`)
    .optional()
    .describe("AWS: the role's maximum session, in seconds (3600 to 43200). Defaults to 3600."),
  roleName: z
    .string()
    .regex(IAM_LIMITS.roleName, "role names are 1-64 of [A-Za-z0-9+=,.@_-]")
    .optional()
    .describe("AWS: the role's name. Defaults to the identity's name."),
  rolePath: z
    .string()
    .regex(IAM_LIMITS.rolePath, "role paths start and end with '/', at most 512 characters")
    .optional()
    .describe("AWS: the role's path, starting and ending with '/'. Defaults to `/`."),
};
