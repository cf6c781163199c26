import type * as pulumi from "@pulumi/pulumi";
import type { GrantPlan, IdentityPlan } from "../plan/types";

/** One identity's grant in the cloud a component handles. */
export interface CloudGrant<G extends GrantPlan = GrantPlan> {
  readonly identity: IdentityPlan;
  readonly grant: G;
}

/** What the TrustPlane hands a cloud's component: its grants and the late-bound values. */
export interface CloudArgs<G extends GrantPlan = GrantPlan> {
  readonly grants: readonly CloudGrant<G>[];
  /** A Pulumi provider per target name; children of that target use it. */
  readonly providers: Readonly<Record<string, pulumi.ProviderResource>>;
  readonly tags: Readonly<Record<string, string>>;
}

/** The values app teams need, per identity and target. */
export type GrantOutputs = Readonly<Record<string, pulumi.Input<string>>>;
export type CloudOutputs = Record<string, Record<string, GrantOutputs>>;

/** Adds a grant's outputs under its identity and target. */
export function record(
  outputs: CloudOutputs,
  { identity, grant }: CloudGrant,
  values: GrantOutputs,
): void {
  (outputs[identity.name] ??= {})[grant.target] = values;
}

/** The resource name the plan gives a resource of this type in this grant. */
export function planned(grant: GrantPlan, type: string, index = 0): string {
  const found = grant.resources.filter((r) => r.type === type)[index];
  if (!found) throw new Error(`unreachable: the plan of ${grant.target} has no ${type} #${index}`);
  return found.name;
}
