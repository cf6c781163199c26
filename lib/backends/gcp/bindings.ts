import type { Finding } from "../../audit/finding";
import type { DocumentIR } from "../../ir/types";
import type { Plan } from "../../plan/types";
import { own } from "../../internal/own";
import type { GrantPlanOf, TargetOf } from "../cloud-types";
import type { DeployedIamPolicy } from "./iam-policies";
import { policyAccount, policyProject, underCondition } from "./iam-policies";

/** The role that lets a workload identity principal impersonate a service account. */
export const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";

interface Planned {
  readonly role: string;
  readonly member: string;
}

const key = (b: Planned) => `${b.role}\n${b.member}`;

/**
 * The IAM bindings of each GCP grant against its project's and service account's policies
 * (`permissions`): a planned binding (the grant's project roles; `roles/iam.workloadIdentityUser`
 * for its principals on its service account) not bound, or bound only under a condition (it then
 * grants less); another role bound to the grant's members (its principals, its service account)
 * on the project or the account; another member holding `roles/iam.workloadIdentityUser` on the
 * account (its tokens can impersonate it). A policy not in the files holds no binding: a search
 * lists only resources with bindings. Policies on other resources are not compared.
 */
export function bindingFindings(
  ir: DocumentIR,
  plan: Plan,
  policies: readonly DeployedIamPolicy[],
): Finding[] {
  const grants = plan.identities.flatMap((i) =>
    i.grants.flatMap((g) => (g.cloud === "gcp" ? [{ identity: i.name, grant: g }] : [])),
  );
  // what every grant binds on a resource: one grant's binding is no extra of another's
  const planned = new Map<string, Set<string>>();
  const bind = (resource: string, bindings: readonly Planned[]) => {
    const set = planned.get(resource) ?? new Set<string>();
    for (const b of bindings) set.add(key(b));
    planned.set(resource, set);
  };
  const resolved = grants.map(({ identity, grant }) => {
    const target = ir.targets.get(grant.target) as TargetOf<"gcp">;
    const a = grant.artefacts;
    const project = `projects/${target.projectId}`;
    const account = a.serviceAccountEmail && `${project}/serviceAccounts/${a.serviceAccountEmail}`;
    const impersonation = a.principals.map((member) => ({ role: WORKLOAD_IDENTITY_USER, member }));
    bind(project, a.projectBindings);
    if (account) bind(account, impersonation);
    return { identity, grant, target, project, account, impersonation };
  });
  const out = new Map<string, Finding>();
  for (const { identity, grant, target, project, account, impersonation } of resolved) {
    const a = grant.artefacts;
    const at = { cloud: "gcp" as const, identity, target: grant.target };
    const add = (resource: string, message: string) =>
      out.set(`${resource}\n${message}`, {
        ...at,
        kind: "permissions",
        resource,
        message: `${resource}: ${message}`,
      });
    const members = new Set([
      ...a.principals,
      ...(a.serviceAccountEmail ? [`serviceAccount:${a.serviceAccountEmail}`] : []),
    ]);
    const ids = [target.projectId, target.projectNumber];
    const onProject = policies.filter((p) => ids.includes(policyProject(p) ?? ""));
    compare(project, onProject, a.projectBindings, members, planned.get(project)!, add);
    if (!account) continue;
    const onAccount = policies.filter((p) => policyAccount(p) === a.serviceAccountEmail);
    compare(account, onAccount, impersonation, members, planned.get(account)!, add);
    for (const b of onAccount.flatMap((p) => p.bindings)) {
      if (b.role !== WORKLOAD_IDENTITY_USER) continue;
      for (const m of b.members.filter((m) => !members.has(m)))
        add(
          account,
          `${m} also holds ${WORKLOAD_IDENTITY_USER}${underCondition(b)}, so it can impersonate ${a.serviceAccountEmail}; the grant binds only ${a.principals.join(", ")}`,
        );
    }
  }
  return [...out.values()];
}

/** One resource's bindings of the grant's members against what the plan binds there. */
function compare(
  resource: string,
  policies: readonly DeployedIamPolicy[],
  mine: readonly Planned[],
  members: ReadonlySet<string>,
  planned: ReadonlySet<string>,
  add: (resource: string, message: string) => void,
): void {
  const bindings = policies.flatMap((p) => p.bindings);
  for (const { role, member } of mine) {
    const holding = bindings.filter((b) => b.role === role && b.members.includes(member));
    if (holding.some((b) => b.condition === undefined)) continue;
    if (holding.length)
      add(
        resource,
        `${role} of the grant is bound to ${member} only${underCondition(holding[0]!)}`,
      );
    else
      add(
        resource,
        `${role} of the grant is not bound to ${member}: run pulumi up${policies.length ? "" : `, or pass the policy of ${resource} (it is not in the files)`}`,
      );
  }
  for (const b of bindings) {
    for (const member of b.members) {
      // a planned role under a condition is reported above, as the planned binding's
      if (!members.has(member) || planned.has(key({ role: b.role, member }))) continue;
      add(
        resource,
        `${b.role} is bound to ${member}${underCondition(b)}, which the grant does not bind`,
      );
    }
  }
}

/**
 * The members of the grant's pool that the deployed policies let act for the grant, to decide
 * tokens with instead of the plan's principals: in impersonate mode those bound to
 * `roles/iam.workloadIdentityUser` on its service account; in direct mode those bound to any of
 * its roles on its project (a token holding one of them can act there; a role missing for a
 * principal is a `permissions` finding). A conditional binding counts as if its condition held:
 * trustplane does not evaluate IAM conditions, a token it admits can act at least sometimes (an
 * over-grant is never hidden by one), and `bindingFindings` reports the condition. A policy not
 * in the files binds nothing, as there. `where` says in words whose bindings they are.
 */
export function boundPrincipals(
  grant: GrantPlanOf<"gcp">,
  target: TargetOf<"gcp">,
  policies: readonly DeployedIamPolicy[],
): { members: string[]; where: string } {
  const a = grant.artefacts;
  // principal identifiers name the pool: principalSet://iam.googleapis.com/projects/N/…/POOL/…
  const iam = `iam.googleapis.com/${a.providerName.slice(0, a.providerName.lastIndexOf("/providers/"))}`;
  const account = a.serviceAccountEmail;
  const roles = account ? [WORKLOAD_IDENTITY_USER] : a.projectBindings.map((b) => b.role);
  const on = policies.filter((p) =>
    account
      ? policyAccount(p) === account
      : [target.projectId, target.projectNumber].includes(policyProject(p) ?? ""),
  );
  const members = on
    .flatMap((p) => p.bindings)
    .filter((b) => roles.includes(b.role))
    .flatMap((b) => b.members)
    .filter((m) => ["principal://", "principalSet://"].some((s) => m.startsWith(`${s}${iam}/`)));
  const where = account ?? `project ${target.projectId}`;
  return {
    members: [...new Set(members)],
    where: `the members bound to ${roles.join(", ")} on ${where}`,
  };
}

/**
 * Whether none of the principals can match a token of a provider with this attribute mapping:
 * each names an attribute the mapping does not map (the plan's name
 * `attribute.trustplane_identity`, which a provider trustplane did not make lacks).
 */
export function unmapped(
  principals: readonly string[],
  mapping: Readonly<Record<string, string>>,
): boolean {
  return principals.every((p) => {
    const name = /\/attribute\.([a-z0-9_]+)\/[^/]/.exec(p)?.[1];
    return name !== undefined && own(mapping, `attribute.${name}`) === undefined;
  });
}
