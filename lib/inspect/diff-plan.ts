import type { Cloud } from "../backends/cloud";
import type { GrantPermission } from "../backends/diffs";
import { diffOf } from "../backends/diffs";
import { quote } from "../errors";
import type { GrantPlan, IdentityPlan, Plan } from "../plan/types";

/** A permission of one grant added, removed or changed between BASE and HEAD. */
export interface PermissionChange {
  readonly identity: string;
  readonly target: string;
  readonly cloud: Cloud;
  /** `changed`: the same policy or role, granting otherwise (an inline policy's document). */
  readonly change: "added" | "removed" | "changed";
  readonly kind: string;
  readonly name: string;
  readonly scope?: string;
}

/** A resource the Pulumi components register: its type token and logical name. */
export interface ResourceRef {
  readonly type: string;
  readonly name: string;
}

/** A resource in both versions that `pulumi up` replaces, and why. */
export interface ResourceChange extends ResourceRef {
  readonly reason: string;
}

/** What `pulumi up` of HEAD adds, removes and replaces where BASE is deployed. */
export interface ResourceChanges {
  readonly added: readonly ResourceRef[];
  readonly removed: readonly ResourceRef[];
  readonly changed: readonly ResourceChange[];
}

/**
 * The permissions of one identity's grants that HEAD adds, removes or changes, per target, as
 * each cloud's `DIFFS` entry lists them. A target whose cloud changed loses all and gains all.
 */
export function permissionChanges(
  base: IdentityPlan | undefined,
  head: IdentityPlan | undefined,
): PermissionChange[] {
  const name = (head ?? base)!.name;
  const targets = [
    ...new Set([...(head?.grants ?? []), ...(base?.grants ?? [])].map((g) => g.target)),
  ];
  const out: PermissionChange[] = [];
  for (const target of targets) {
    const before = base?.grants.find((g) => g.target === target);
    const after = head?.grants.find((g) => g.target === target);
    const moved = before && after && before.cloud !== after.cloud;
    if (moved) out.push(...listed(name, before, "removed"));
    const was = keyed(moved ? undefined : before);
    const now = keyed(after);
    const at = (g: GrantPlan) => ({ identity: name, target, cloud: g.cloud });
    for (const [key, p] of now) {
      const old = was.get(key);
      if (!old) out.push({ ...at(after!), change: "added", ...shown(p) });
      else if (old.content !== p.content)
        out.push({ ...at(after!), change: "changed", ...shown(p) });
    }
    for (const [key, p] of was) {
      if (!now.has(key)) out.push({ ...at(before!), change: "removed", ...shown(p) });
    }
  }
  return out;
}

function keyed(grant: GrantPlan | undefined): Map<string, GrantPermission> {
  const list = grant ? diffOf(grant.cloud).permissions(grant.artefacts) : [];
  return new Map(list.map((p) => [p.key, p]));
}

function listed(identity: string, grant: GrantPlan, change: "removed"): PermissionChange[] {
  return [...keyed(grant).values()].map((p) => ({
    identity,
    target: grant.target,
    cloud: grant.cloud,
    change,
    ...shown(p),
  }));
}

const shown = ({ kind, name, scope }: GrantPermission) => ({
  kind,
  name,
  ...(scope !== undefined ? { scope } : {}),
});

/**
 * The resources of HEAD's plan that BASE's lacks (added), the reverse (removed), and those in
 * both whose physical name differs (changed: `pulumi up` replaces them). Resources are
 * identified as Pulumi does, by type token and logical name; shared ones (an AWS OIDC provider,
 * a GCP pool) once. An in-place update (a new trust policy, a role added to a grant) is not a
 * change of resource: the access and permission changes show it.
 */
export function resourceChanges(base: Plan | undefined, head: Plan): ResourceChanges {
  const was = resourcesOf(base);
  const now = resourcesOf(head);
  const changed: ResourceChange[] = [];
  for (const [key, r] of now) {
    const old = was.get(key);
    if (old && old.physical !== r.physical)
      changed.push({
        type: r.type,
        name: r.name,
        reason: `its physical name changes from ${quote(old.physical ?? "")} to ${quote(r.physical ?? "")}, so pulumi up replaces it`,
      });
  }
  const only = (a: typeof was, b: typeof was) =>
    [...a].filter(([key]) => !b.has(key)).map(([, { type, name }]) => ({ type, name }));
  return { added: only(now, was), removed: only(was, now), changed };
}

function resourcesOf(plan: Plan | undefined): Map<string, ResourceRef & { physical?: string }> {
  const out = new Map<string, ResourceRef & { physical?: string }>();
  for (const grant of plan?.identities.flatMap((i) => i.grants) ?? []) {
    const physical = diffOf(grant.cloud).physicalNames(grant.artefacts);
    for (const { type, name, shared } of grant.resources) {
      const key = `${type} ${name}`;
      if (out.has(key)) continue;
      out.set(key, {
        type,
        name,
        ...(!shared && Object.hasOwn(physical, type) ? { physical: physical[type] } : {}),
      });
    }
  }
  return out;
}
