import type { Issue, Path } from "../../errors";
import { error, quote } from "../../errors";
import { GCP_LIMITS } from "./limits";

/** GCP pool and provider IDs: 4-32 of [a-z0-9-], no `gcp-` prefix. */
export function gcpIdProblem(id: string): string | undefined {
  if (!GCP_LIMITS.id.test(id)) return "IDs are 4-32 lowercase letters, digits and dashes";
  if (id.startsWith(GCP_LIMITS.reservedIdPrefix)) return 'the prefix "gcp-" is reserved by Google';
  if (id.startsWith("-") || id.endsWith("-")) return "IDs cannot start or end with a dash";
  return undefined;
}

/** The pool ID of a target, checked as GCP checks it. */
export function poolIdIssues(id: string, path: Path): Issue[] {
  const problem = gcpIdProblem(id);
  return problem
    ? [error("invalid_name", path, `the pool ID ${quote(id)} is not valid: ${problem}`)]
    : [];
}

/** GCP refuses a token exchange whose mapped `google.subject` is over 127 bytes. */
export const MAX_SUBJECT_BYTES = GCP_LIMITS.subjectBytes;

/**
 * A workload identity pool provider's name as an audience: `//iam.googleapis.com/<name>`, the
 * form STS and HCP Terraform use, or with `https:` in front, the form GitHub's auth action uses.
 */
export function providerAudience(providerName: string, https: boolean): string {
  return `${https ? "https:" : ""}//iam.googleapis.com/${providerName}`;
}
