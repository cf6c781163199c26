import type { StateResource } from "../../audit/pulumi-state";
import { stateOutputs } from "../../audit/pulumi-state";
import { DECLARED } from "../../internal/merge";
import { isRecord, own } from "../../internal/own";
import { GCP_TYPES } from "./grant";

/**
 * GCP's resources of Pulumi stack exports, as the gcloud outputs the GCP reader reads: each
 * workload identity pool provider a `gcloud iam workload-identity-pools providers list` item
 * (its `name` is the provider's full name, as gcloud prints it), and the IAM members, bindings
 * and policies of each project and service account policies wrapped with their resource, as
 * `{"resource": "projects/P", "policy": {"bindings": …}}`. One reader thus checks both sources;
 * what a stack declares only in part is marked `DECLARED` (see `mergePolicies`).
 *
 * @see https://www.pulumi.com/registry/packages/gcp/api-docs/iam/workloadidentitypoolprovider/
 * @see https://www.pulumi.com/registry/packages/gcp/api-docs/projects/iammember/
 * @see https://www.pulumi.com/registry/packages/gcp/api-docs/serviceaccount/iammember/
 */

/** The Pulumi packages whose resources are GCP's. */
export const GCP_PACKAGES = ["gcp"] as const;

const PROVIDER_OUTPUTS = [
  "name",
  "oidc",
  "attributeMapping",
  "attributeCondition",
  "disabled",
  "state",
] as const;

/**
 * The IAM resources of projects and service accounts, by type token: the output naming the
 * resource the policy is set on, and whether it holds one member, several, or a whole policy.
 */
const IAM: Readonly<
  Record<string, { readonly on: string; readonly holds: "member" | "members" | "policyData" }>
> = {
  [GCP_TYPES.projectMember]: { on: "project", holds: "member" },
  "gcp:projects/iAMBinding:IAMBinding": { on: "project", holds: "members" },
  "gcp:projects/iAMPolicy:IAMPolicy": { on: "project", holds: "policyData" },
  [GCP_TYPES.serviceAccountMember]: { on: "serviceAccountId", holds: "member" },
  "gcp:serviceaccount/iAMBinding:IAMBinding": { on: "serviceAccountId", holds: "members" },
  "gcp:serviceaccount/iAMPolicy:IAMPolicy": { on: "serviceAccountId", holds: "policyData" },
};

/** How much of a policy each kind of IAM resource declares (`DECLARED` values of the reader). */
const DECLARES = { member: "part", members: "bindings", policyData: undefined } as const;

/** The bindings the exports declare alike on one project or service account, and their files. */
interface Policy {
  readonly resource: string;
  readonly declares: "part" | "bindings" | undefined;
  readonly bindings: unknown[];
  readonly sources: Set<string>;
}

/**
 * The gcloud documents of GCP's resources of stack exports: one providers list per provider,
 * named `FILE: URN` and marked as one of its pool's, and the policies of each project
 * (`projects/P`) or service account (`projects/P/serviceAccounts/EMAIL`): one holding every
 * member the exports add (IAMMember, marked `"part"`), one every role they set the members of
 * (IAMBinding, marked `"bindings"`), both named by the files, and each IAMPolicy's whole,
 * named `FILE: URN`. Providers of other kinds than OIDC (AWS, SAML, X.509) trust no issuer of
 * an intent and are left out. An output sealed as a secret, an IAM resource that names no
 * project or account, and a `policyData` that is not a JSON policy are problems naming the
 * resource. Never throws.
 */
export function gcpStateFiles(
  resources: readonly StateResource[],
): { files: { source: string; json: unknown }[] } | { problems: string[] } {
  const problems: string[] = [];
  const files: { source: string; json: unknown }[] = [];
  const policies = new Map<string, Policy>();
  for (const resource of resources) {
    const iam = own(IAM, resource.type);
    if (resource.type !== GCP_TYPES.provider && iam === undefined) continue;
    const names = iam ? [iam.on, iam.holds, "role", "condition"] : PROVIDER_OUTPUTS;
    const read = stateOutputs(resource, names);
    if ("problem" in read) {
      problems.push(read.problem);
      continue;
    }
    const o = read.outputs;
    if (iam === undefined) {
      if (isRecord(o.oidc))
        files.push({
          source: `${resource.source}: ${resource.urn}`,
          json: [{ ...o, [DECLARED]: "part" }],
        });
      continue;
    }
    const on = o[iam.on];
    const bindings = bindingsOf(o, iam.holds);
    if (typeof on !== "string" || bindings === undefined) {
      problems.push(
        `${resource.source}: ${resource.urn} has no ${iam.on} output, or no readable role and ${iam.holds}`,
      );
      continue;
    }
    const target = iam.on === "project" ? `projects/${on}` : on;
    const declares = DECLARES[iam.holds];
    // an IAMPolicy is whole, so each stands alone; members and bindings gather per resource
    const key = declares ? `${target}\n${declares}` : `${resource.source}: ${resource.urn}`;
    const policy = policies.get(key) ?? {
      resource: target,
      declares,
      bindings: [],
      sources: new Set<string>(),
    };
    policy.bindings.push(...bindings);
    policy.sources.add(resource.source);
    policies.set(key, policy);
  }
  for (const [key, { resource, declares, bindings, sources }] of policies)
    files.push({
      source: declares
        ? `${[...sources].join(", ")} (the IAM ${declares === "part" ? "members" : "bindings"} on ${resource})`
        : key,
      json: { resource, policy: { bindings }, ...(declares ? { [DECLARED]: declares } : {}) },
    });
  return problems.length ? { problems } : { files };
}

/** The bindings an IAM resource sets, as a policy lists them; undefined when unreadable. */
function bindingsOf(o: Record<string, unknown>, holds: string): unknown[] | undefined {
  if (holds === "policyData") {
    if (typeof o.policyData !== "string") return undefined;
    try {
      const policy = JSON.parse(o.policyData) as unknown;
      const bindings = isRecord(policy) ? (own(policy, "bindings") ?? []) : undefined;
      return Array.isArray(bindings) ? bindings : undefined;
    } catch {
      return undefined;
    }
  }
  const members = holds === "member" ? [o.member] : o.members;
  if (
    typeof o.role !== "string" ||
    !Array.isArray(members) ||
    members.some((m) => typeof m !== "string")
  )
    return undefined;
  return [{ role: o.role, members, ...(isRecord(o.condition) ? { condition: o.condition } : {}) }];
}
