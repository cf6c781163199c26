import { isRecord, own } from "../../internal/own";

/**
 * The IAM allow policies of GCP projects and service accounts. `gcloud projects get-iam-policy`
 * and `gcloud iam service-accounts get-iam-policy` print a policy without naming its resource, so
 * trustplane reads them wrapped as `{"resource": "projects/P" | "projects/P/serviceAccounts/EMAIL",
 * "policy": <output>}` (`… --format=json | jq '{resource: "projects/P", policy: .}'`), and reads
 * `gcloud asset search-all-iam-policies --scope=projects/P --format=json` as it is: a list of
 * results, each with the full resource name (`//cloudresourcemanager.googleapis.com/projects/P`,
 * `//iam.googleapis.com/projects/P/serviceAccounts/EMAIL`) and the policy set on it. Policies on
 * other resources (buckets, datasets) are skipped: trustplane plans none.
 *
 * @see https://cloud.google.com/sdk/gcloud/reference/asset/search-all-iam-policies
 * @see https://cloud.google.com/python/docs/reference/cloudasset/latest/google.cloud.asset_v1.types.IamPolicySearchResult
 *   (each result: `resource`, the full resource name; `project`; `policy`, with every binding when
 *   the search has no query)
 * @see https://cloud.google.com/iam/docs/full-resource-names
 * @see https://cloud.google.com/iam/docs/reference/rest/v1/Policy (bindings: role, members, condition)
 */

/** One binding of a policy. */
export interface DeployedBinding {
  readonly role: string;
  readonly members: readonly string[];
  /** The CEL expression of a conditional binding: the role is granted only when it holds. */
  readonly condition?: string;
}

/** The policy set on a project or a service account. */
export interface DeployedIamPolicy {
  /** `projects/P` (P the project ID or number) or `projects/P/serviceAccounts/EMAIL` (lowercased). */
  readonly resource: string;
  readonly bindings: readonly DeployedBinding[];
  readonly sources: readonly string[];
}

const FULL_NAME = /^\/\/(cloudresourcemanager|iam)\.googleapis\.com\/(.*)$/;
const PROJECT = /^projects\/([^/]+)$/;
const ACCOUNT = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)$/;

/** Whether a file is `gcloud asset search-all-iam-policies` output: results naming their resource. */
export function isPolicySearch(json: unknown): boolean {
  return Array.isArray(json) && json.length > 0 && json.every(isSearchResult);
}

/** Whether a file is a policy wrapped with its resource: `{resource, policy}`. */
export function isWrappedPolicy(json: unknown): boolean {
  return isSearchResult(json);
}

/** Whether a file is a bare policy (get-iam-policy output), which names no resource. */
export function isBarePolicy(json: unknown): boolean {
  return (
    isRecord(json) &&
    own(json, "resource") === undefined &&
    (Array.isArray(own(json, "bindings")) || typeof own(json, "etag") === "string")
  );
}

function isSearchResult(item: unknown): item is Record<string, unknown> {
  return (
    isRecord(item) && typeof own(item, "resource") === "string" && isRecord(own(item, "policy"))
  );
}

/**
 * The project and service account policies of a search output or a wrapped policy (`items`, one
 * for a wrapper), their bindings read; a binding without role or members, an account named by its
 * unique ID and, in a wrapper, a resource that is neither a project nor an account are problems
 * naming the file.
 */
export function readPolicies(
  items: readonly Record<string, unknown>[],
  source: string,
  wrapped: boolean,
  problems: string[],
): DeployedIamPolicy[] {
  return items.flatMap((item, i) => {
    const name = own(item, "resource") as string;
    const where = wrapped ? source : `${source}[${i}]`;
    const resource = resourceOf(name);
    if (resource === undefined) {
      if (wrapped)
        problems.push(
          `${where}: resource ${JSON.stringify(name)} is neither projects/PROJECT nor projects/PROJECT/serviceAccounts/EMAIL`,
        );
      return [];
    }
    if (ACCOUNT.test(resource) && !resource.includes("@")) {
      problems.push(
        `${where}: ${name} names the service account by its unique ID; name it by its e-mail, as the intent's plan does`,
      );
      return [];
    }
    const bindings = readBindings(own(item, "policy") as Record<string, unknown>, where, problems);
    return bindings ? [{ resource, bindings, sources: [source] }] : [];
  });
}

/** `projects/P` or `projects/P/serviceAccounts/email` from a short or full resource name. */
function resourceOf(name: string): string | undefined {
  const short = FULL_NAME.exec(name)?.[2] ?? name;
  if (PROJECT.test(short)) return short;
  const account = ACCOUNT.exec(short);
  return account
    ? `projects/${account[1]}/serviceAccounts/${account[2]!.toLowerCase()}`
    : undefined;
}

function readBindings(
  policy: Record<string, unknown>,
  where: string,
  problems: string[],
): DeployedBinding[] | undefined {
  const list = own(policy, "bindings") ?? [];
  if (!Array.isArray(list)) return void problems.push(`${where}: policy.bindings is not a list`);
  const out: DeployedBinding[] = [];
  list.forEach((b: unknown, i) => {
    const role = isRecord(b) ? own(b, "role") : undefined;
    const members = isRecord(b) ? own(b, "members") : undefined;
    if (typeof role !== "string" || !Array.isArray(members)) {
      problems.push(`${where}: policy.bindings[${i}] has no role or members`);
      return;
    }
    const condition = own(b as Record<string, unknown>, "condition");
    const expression = isRecord(condition) ? own(condition, "expression") : undefined;
    out.push({
      role,
      members: members.filter((m): m is string => typeof m === "string"),
      ...(typeof expression === "string" ? { condition: expression } : {}),
    });
  });
  return out;
}

/** The project (ID or number) a project policy is set on; undefined for an account's. */
export function policyProject(policy: DeployedIamPolicy): string | undefined {
  return PROJECT.exec(policy.resource)?.[1];
}

/** The (lowercased) e-mail of the service account a policy is set on; undefined for a project's. */
export function policyAccount(policy: DeployedIamPolicy): string | undefined {
  return ACCOUNT.exec(policy.resource)?.[2];
}
