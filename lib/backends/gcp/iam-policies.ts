import { canonical } from "../../internal/canonical";
import { removedProblem } from "../../internal/merge";
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

/** One file's policy of a resource, and how much of it the file holds (`DECLARED`). */
export interface PolicyRead {
  readonly policy: DeployedIamPolicy;
  /**
   * `"part"`: members a stack adds (IAMMember); `"bindings"`: roles whose members a stack sets
   * (IAMBinding); undefined: the whole policy (a CLI output, a stack's IAMPolicy).
   */
  readonly declares?: "part" | "bindings";
}

/**
 * The files' policies, one per resource. Whole policies of a resource must bind the same members
 * to the same roles under the same conditions, in any order. Where the files hold a whole
 * policy, it is the resource's: each member a stack's IAMMember adds must be bound there with its
 * role and condition, and each role a stack's IAMBinding sets bound to exactly its members
 * (another member was added outside the stack); else the resource has what the stacks declare.
 * A disagreement, and a member the whole lacks (`removedProblem`), are problems.
 */
export function mergePolicies(
  reads: readonly PolicyRead[],
  problems: string[],
): DeployedIamPolicy[] {
  const byResource = new Map<string, PolicyRead[]>();
  for (const r of reads)
    byResource.set(r.policy.resource, [...(byResource.get(r.policy.resource) ?? []), r]);
  return [...byResource].map(([resource, list]) => {
    const wholes = list.filter((r) => r.declares === undefined).map((r) => r.policy);
    const earlier: string[] = [];
    for (const { bindings, sources } of wholes) {
      if (earlier.length && bindingsText(bindings) !== bindingsText(wholes[0]!.bindings))
        problems.push(
          `${sources.join(", ")} and ${earlier.join(", ")} disagree on the policy of ${resource}: pass files of one moment`,
        );
      earlier.push(...sources);
    }
    const parts = list.filter((r) => r.declares !== undefined);
    const whole = wholes[0] && membersOf(wholes[0].bindings);
    for (const { policy, declares } of whole ? parts : [])
      for (const b of policy.bindings) {
        const bound = whole!.get(bindingKey(b)) ?? new Set<string>();
        const at = `${b.role}${underCondition(b)} on ${resource}`;
        for (const m of b.members.filter((m) => !bound.has(m)))
          problems.push(removedProblem(policy.sources.join(", "), `${at} for ${m}`, earlier));
        const others = [...bound].filter((m) => !b.members.includes(m));
        if (declares === "bindings" && others.length)
          problems.push(
            `${policy.sources.join(", ")} and ${earlier.join(", ")} disagree on the members of ${at}: ${others.join(", ")} bound outside the stack, whose IAMBinding sets them all; pass files of one moment`,
          );
      }
    const kept = wholes[0] ? [wholes[0]] : parts.map((r) => r.policy);
    return {
      resource,
      bindings: kept.flatMap((p) => p.bindings),
      sources: list.flatMap((r) => r.policy.sources),
    };
  });
}

/** A binding's role and condition, which IAM grants together. */
function bindingKey(b: DeployedBinding): string {
  return `${b.role}\n${b.condition ?? ""}`;
}

/** The members of each role and condition: a policy may split them over bindings. */
function membersOf(bindings: readonly DeployedBinding[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const b of bindings)
    out.set(bindingKey(b), new Set([...(out.get(bindingKey(b)) ?? []), ...b.members]));
  return out;
}

/** The text two policies' bindings compare by: members of each role and condition, as sets. */
function bindingsText(bindings: readonly DeployedBinding[]): string {
  const sets = [...membersOf(bindings)].map(
    ([key, members]) => [key, [...members].sort()] as const,
  );
  return canonical(sets.sort(([x], [y]) => (x < y ? -1 : 1)));
}

/** How a message says that a binding is conditional: empty for one that is not. */
export function underCondition(b: DeployedBinding): string {
  return b.condition === undefined ? "" : ` under the condition ${JSON.stringify(b.condition)}`;
}
