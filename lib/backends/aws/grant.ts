import type { Issue } from "../../errors";
import { count, error, quote } from "../../errors";
import type { GrantIR, IdentityIR } from "../../ir/types";
import type { TargetOf } from "../cloud";
import { shortHash } from "../../internal/names";
import type { PlanResource } from "../../plan/resource";
import { repeats } from "../repeats";
import { rolePolicyIssues } from "./policies";
import { AWS_AUDIENCE, providerArn, providerHost, providerResourceName, roleArn } from "./names";
import type { TrustPolicy } from "./trust-policy";
import { acceptable, awsTrustPolicy, policySize } from "./trust-policy";

/** Pulumi type tokens of what an AWS grant creates. */
export const AWS_TYPES = {
  provider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  inlinePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

export interface AwsArtefacts {
  readonly providerArn: string;
  readonly providerUrl: string;
  /** Every audience any grant in this account trusts from this issuer: the provider's client ID list. */
  readonly clientIds: readonly string[];
  readonly roleName: string;
  readonly rolePath: string;
  readonly roleArn: string;
  readonly maxSessionDuration: number;
  readonly managedPolicyArns: readonly string[];
  readonly inlinePolicies: Readonly<Record<string, unknown>>;
  readonly permissionsBoundary?: string;
  readonly trustPolicy: TrustPolicy;
}

/** The role, provider and trust policy of one identity in one AWS account. */
export function awsGrant(
  identity: IdentityIR,
  grant: GrantIR<TargetOf<"aws">>,
): { audience: string; artefacts: AwsArtefacts; resources: PlanResource[]; issues: Issue[] } {
  const { target, options } = grant;
  const audience = options.audience ?? identity.issuer.audiences.aws ?? AWS_AUDIENCE;
  const provider = providerArn(target, identity.issuer.url);
  const { policy, issues } = awsTrustPolicy(identity, provider, audience);
  const audiencePath =
    options.audience !== undefined
      ? [...grant.path, "audience"]
      : ["issuers", identity.issuerName, "audiences", "aws"];
  acceptable(audience, audiencePath, issues);
  const host = providerHost(identity.issuer.url);
  if (host.includes(":")) {
    issues.push(
      error(
        "aws_condition_key_invalid",
        grant.path,
        `the issuer URL ${quote(identity.issuer.url)} holds ':' after its host, and IAM condition keys (${JSON.stringify(`${host}:sub`)}) may hold only one ':'; AWS cannot trust this issuer, so leave AWS out of its identities`,
      ),
    );
  }
  const size = policySize(policy);
  if (issues.length === 0 && size > target.trustPolicyQuota) {
    issues.push(
      error(
        "aws_trust_policy_too_large",
        grant.path,
        `the trust policy is ${count(size, "character")} (${count(policy.Statement.length, "statement")}), over the quota of ${target.trustPolicyQuota} for ${target.name}; raise the account's quota (Service Quotas L-C07B4B0D) and set trustPolicyQuota on the target, or split the identity`,
      ),
    );
  }
  const roleName = options.roleName ?? identity.name;
  const rolePath = options.rolePath ?? "/";
  const base = `${identity.name}/${target.name}`;
  const managed = options.managedPolicyArns ?? [];
  issues.push(
    ...repeats(
      managed.map((arn, i) => ({
        key: arn,
        path: [...grant.path, "managedPolicyArns", i],
        label: quote(arn),
      })),
      "list each policy once",
    ),
  );
  issues.push(...rolePolicyIssues(grant));
  const inline = options.inlinePolicies ?? {};
  const resources: PlanResource[] = [
    {
      type: AWS_TYPES.provider,
      name: providerResourceName(target, identity.issuer.url),
      shared: true,
    },
    { type: AWS_TYPES.role, name: base },
    ...managed.map((arn) => ({
      type: AWS_TYPES.attachment,
      name: `${base}/${policyLabel(arn, managed)}`,
    })),
    ...Object.keys(inline).map((name) => ({
      type: AWS_TYPES.inlinePolicy,
      name: `${base}/inline/${name}`,
    })),
  ];
  return {
    audience,
    issues,
    resources,
    artefacts: {
      providerArn: provider,
      providerUrl: identity.issuer.url,
      clientIds: [audience],
      roleName,
      rolePath,
      roleArn: roleArn(target, rolePath, roleName),
      maxSessionDuration: options.maxSessionDuration ?? 3600,
      managedPolicyArns: managed,
      inlinePolicies: inline,
      ...(options.permissionsBoundary ? { permissionsBoundary: options.permissionsBoundary } : {}),
      trustPolicy: policy,
    },
  };
}

/** The policy's name from its ARN; two policies of one name in a grant are told apart by a hash. */
function policyLabel(arn: string, all: readonly string[]): string {
  const name = arn.slice(arn.lastIndexOf("/") + 1);
  const clash = all.filter((a) => a.slice(a.lastIndexOf("/") + 1) === name).length > 1;
  return clash ? `${name}-${shortHash(arn, 6)}` : name;
}
