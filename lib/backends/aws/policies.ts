import type { Issue, Path } from "../../errors";
import { count, error, quote, warning } from "../../errors";
import type { GrantIR } from "../../ir/types";
import { editDistance } from "../../internal/edit-distance";
import type { TargetOf } from "../cloud";
import { IAM_LIMITS, policyArnParts, policyCharacters } from "./limits";
import { AWS_MANAGED_POLICIES_SOURCE, AWS_MANAGED_POLICY_NAMES } from "./managed-policies";
import { identityPolicyProblems, unstorableCharacter } from "./policy-grammar";

const MANAGED = new Set(AWS_MANAGED_POLICY_NAMES.split("\n"));

/**
 * What IAM would refuse of a grant's permissions, found before anything is registered: a policy
 * ARN of another partition or account, more managed policies than the account's quota
 * (`managedPolicyQuota`), an inline policy that breaks the policy grammar or holds characters IAM
 * cannot store, inline policies over 10,240 characters together. An AWS managed policy
 * (`arn:<partition>:iam::aws:policy/…`) missing from the snapshot of AWS's names is a warning,
 * with the closest name: AttachRolePolicy fails on it unless AWS added it since.
 */
export function rolePolicyIssues(grant: GrantIR<TargetOf<"aws">>): Issue[] {
  const { target, options, path } = grant;
  const issues: Issue[] = [];
  const managed = options.managedPolicyArns ?? [];
  managed.forEach((arn, i) =>
    issues.push(...policyArnIssues(arn, target, [...path, "managedPolicyArns", i])),
  );
  if (options.permissionsBoundary !== undefined) {
    issues.push(
      ...policyArnIssues(options.permissionsBoundary, target, [...path, "permissionsBoundary"]),
    );
  }
  if (managed.length > target.managedPolicyQuota) {
    issues.push(
      error(
        "aws_too_many_managed_policies",
        [...path, "managedPolicyArns"],
        `the role would have ${count(managed.length, "managed policy", "managed policies")}, over the quota of ${target.managedPolicyQuota} for ${target.name}; raise the account's quota of managed policies per role (Service Quotas, IAM, at most ${IAM_LIMITS.managedPolicies.max}) and set managedPolicyQuota on the target, or merge policies`,
      ),
    );
  }
  const inline = options.inlinePolicies ?? {};
  for (const [name, document] of Object.entries(inline)) {
    issues.push(...inlinePolicyIssues(document, [...path, "inlinePolicies", name]));
  }
  const size = Object.values(inline).reduce<number>((n, d) => n + policyCharacters(d), 0);
  if (size > IAM_LIMITS.inlinePolicyCharacters) {
    issues.push(
      error(
        "aws_inline_policies_too_large",
        [...path, "inlinePolicies"],
        `the role's inline policies are ${size} characters together (white space not counted, as IAM counts), and IAM allows ${IAM_LIMITS.inlinePolicyCharacters} per role; move statements into customer managed policies and list them in managedPolicyArns`,
      ),
    );
  }
  return issues;
}

/** An inline policy IAM would answer with MalformedPolicyDocument. */
function inlinePolicyIssues(document: unknown, path: Path): Issue[] {
  const issues = identityPolicyProblems(document).map(({ at, problem }) =>
    error("aws_invalid_policy", [...path, ...at], `IAM would refuse this policy: ${problem}`),
  );
  const bad = unstorableCharacter(document);
  if (bad !== undefined) {
    const code = bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    issues.push(
      error(
        "aws_invalid_policy",
        path,
        `IAM policies hold only Latin-1 characters, and this one holds ${JSON.stringify(bad)} (U+${code}); write it without`,
      ),
    );
  }
  return issues;
}

/** A policy ARN of the role's partition and account (or AWS's), known when AWS manages it. */
function policyArnIssues(arn: string, target: TargetOf<"aws">, path: Path): Issue[] {
  // the schema refuses what is not a policy ARN
  const parts = policyArnParts(arn)!;
  const ours = parts.account === "aws" || parts.account === target.accountId;
  if (parts.partition !== target.partition || !ours) {
    return [
      error(
        "aws_policy_arn_mismatch",
        path,
        `${quote(arn)} is a policy of ${parts.account === "aws" ? "AWS" : `account ${parts.account}`} in partition ${parts.partition}, and the role is in account ${target.accountId} of partition ${target.partition}, where IAM cannot attach it; use arn:${target.partition}:iam::${target.accountId}:policy/<name> or arn:${target.partition}:iam::aws:policy/<name>`,
      ),
    ];
  }
  if (parts.account !== "aws" || MANAGED.has(parts.name)) return [];
  const why = parts.name.startsWith("aws-service-role/")
    ? "policies under aws-service-role/ belong to service-linked roles, and IAM attaches them to no role of yours"
    : `it is not among the AWS managed policies trustplane knows (${AWS_MANAGED_POLICIES_SOURCE}), so AttachRolePolicy fails with NoSuchEntity unless AWS added it since${closest(parts.partition, parts.name)}`;
  return [warning("aws_unknown_managed_policy", path, `${quote(arn)}: ${why}`)];
}

/** `; did you mean "arn:aws:iam::aws:policy/job-function/…"?` for the nearest known name, if near. */
function closest(partition: string, name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1).toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const known of MANAGED) {
    const d = editDistance(base, known.slice(known.lastIndexOf("/") + 1).toLowerCase());
    if (!best || d < best.distance) best = { name: known, distance: d };
  }
  return best && best.distance <= Math.max(2, Math.floor(base.length / 4))
    ? `; did you mean ${quote(`arn:${partition}:iam::aws:policy/${best.name}`)}?`
    : "";
}
