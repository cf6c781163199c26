import { iamTagProblem } from "../backends/aws/limits";
import { IAM_LIMITS } from "../backends/aws/limits";
import { AZURE_LIMITS, azureTagProblem } from "../backends/azure/limits";
import type { Cloud } from "../backends/cloud";
import type { Issue } from "../errors";
import { error, quote } from "../errors";
import type { CloudGrant } from "./shared";

/**
 * The tag rules of each cloud whose resources the components tag: AWS OIDC providers and roles,
 * Azure managed identities. GCP's components tag nothing.
 */
const TAGGED: Record<
  Cloud,
  { name: string; count: number; problem: typeof iamTagProblem } | undefined
> = {
  aws: { name: "AWS", count: IAM_LIMITS.tags.count, problem: iamTagProblem },
  azure: { name: "Azure", count: AZURE_LIMITS.tags.count, problem: azureTagProblem },
  gcp: undefined,
};

/**
 * The `tags` option's problems in every cloud this stack tags resources of: each tag the cloud
 * would refuse, at `["tags", key]`, and more tags than it takes, at `["tags"]`. Checked with the
 * other options, so a tag a cloud refuses stops the stack before anything is registered.
 */
export function tagIssues(
  tags: Readonly<Record<string, string>>,
  selected: readonly CloudGrant[],
): Issue[] {
  const issues: Issue[] = [];
  const clouds = [...new Set(selected.map((g) => g.grant.cloud))].sort();
  const entries = Object.entries(tags);
  for (const cloud of clouds) {
    const rules = TAGGED[cloud];
    if (!rules) continue;
    if (entries.length > rules.count) {
      issues.push(
        error(
          "invalid_tag",
          ["tags"],
          `${rules.name} takes at most ${rules.count} tags on a resource, and tags has ${entries.length}; drop some`,
        ),
      );
    }
    for (const [key, value] of entries) {
      const problem = rules.problem(key, value);
      if (problem !== undefined) {
        issues.push(
          error(
            "invalid_tag",
            ["tags", key],
            `${rules.name} refuses the tag ${quote(key)}: ${problem}; this stack tags ${rules.name} resources, so change it or leave it out`,
          ),
        );
      }
    }
  }
  return issues;
}
