import { z } from "zod";

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
      .max(8192, "IAM raises the trust policy quota (L-C07B4B0D) to at most 8192 characters")
      .default(2048)
      .describe(
        "The account's role trust policy size quota in characters (IAM quota `L-C07B4B0D`, at most 8,192): trust policies larger than it are refused.",
      ),
    oidcProviderQuota: z
      .number()
      .int()
      .min(1)
      .max(700, "IAM raises the OIDC provider quota (L-858F3967) to at most 700")
      .default(100)
      .describe("The account's IAM OIDC provider quota (IAM quota `L-858F3967`, at most 700)."),
  })
  .describe("An AWS account: roles with trust policies for an IAM OIDC provider per issuer.");

const Arn = z
  .string()
  .regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$/, "expected an ARN");

/** The grant keys only AWS reads: the role and what it may do. */
export const awsGrantOptions = {
  managedPolicyArns: z
    .array(Arn)
    .max(20, "AWS attaches at most 20 managed policies to a role")
    .optional()
    .meta({
      description: "AWS: the managed policies attached to the role.",
      examples: [["arn:aws:iam::aws:policy/ReadOnlyAccess"]],
    }),
  inlinePolicies: z
    .record(
      z.string().regex(/^[\w+=,.@-]{1,128}$/, "policy names are 1-128 of [A-Za-z0-9+=,.@_-]"),
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
  permissionsBoundary: Arn.optional().describe(
    "AWS: the managed policy that bounds the role's permissions.",
  ),
  maxSessionDuration: z
    .number()
    .int()
    .min(3600, "AWS sessions last at least 3600 seconds")
    .max(43200, "AWS sessions last at most 43200 seconds (12 hours)")
    .optional()
    .describe("AWS: the role's maximum session, in seconds (3600 to 43200). Defaults to 3600."),
  roleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, "role names are 1-64 of [A-Za-z0-9+=,.@_-]")
    .optional()
    .describe("AWS: the role's name. Defaults to the identity's name."),
  rolePath: z
    .string()
    .max(512)
    .regex(/^\/([\u0021-\u007e]+\/)?$/, "role paths start and end with '/'")
    .optional()
    .describe("AWS: the role's path, starting and ending with '/'. Defaults to `/`."),
};
