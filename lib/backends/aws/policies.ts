import type { Issue, Path } from "../../errors";
import { quote, warning } from "../../errors";
import type { GrantIR } from "../../ir/types";
import { editDistance } from "../../internal/edit-distance";
import type { TargetOf } from "../cloud";
import { policyArnParts } from "./limits";
import { AWS_MANAGED_POLICIES_SOURCE, AWS_MANAGED_POLICY_NAMES } from "./managed-policies";

const MANAGED = new Set(AWS_MANAGED_POLICY_NAMES.split("\n"));

/**
 * What IAM would refuse of a grant's permissions, found before anything is registered. An AWS
 * managed policy (`arn:<partition>:iam::aws:policy/…`) missing from the snapshot of AWS's names
 * is a warning, with the closest name: AttachRolePolicy fails on it unless AWS added it since.
 */
export function rolePolicyIssues(grant: GrantIR<TargetOf<"aws">>): Issue[] {
  const { options, path } = grant;
  const issues: Issue[] = [];
  (options.managedPolicyArns ?? []).forEach((arn, i) =>
    issues.push(...policyArnIssues(arn, [...path, "managedPolicyArns", i])),
  );
  if (options.permissionsBoundary !== undefined) {
    issues.push(...policyArnIssues(options.permissionsBoundary, [...path, "permissionsBoundary"]));
  }
  return issues;
}

function policyArnIssues(arn: string, path: Path): Issue[] {
  const parts = policyArnParts(arn);
  if (!parts || parts.account !== "aws" || MANAGED.has(parts.name)) return [];
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
