import type * as pulumi from "@pulumi/pulumi";
import { TrustplaneError, error, quote } from "../errors";
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
  /** Take over existing resources (`adopt.existing`): see `adoption`. */
  readonly existing: boolean;
}

/**
 * Pulumi's `import` option for a resource that exists under its planned name, when the stack
 * takes existing resources over: the inputs in `kept` are read as found on that `up` (Pulumi
 * copies ignored inputs from the imported state, so the import has no difference to refuse).
 */
export function adoption(
  existing: boolean,
  id: string,
  kept: readonly string[],
): pulumi.CustomResourceOptions {
  return existing ? { import: id, ignoreChanges: [...kept] } : {};
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

/** One thing a target says about where it is, and what its provider reports (if it says). */
export interface ProviderFact {
  readonly what: string;
  readonly expected: string;
  readonly actual: string | undefined;
}

/**
 * An output that resolves when the target's provider reports what the target says (the account,
 * subscription, tenant), and fails with `provider_mismatch` otherwise. The cloud's resources of
 * that target take one input through it, so none of them is sent to the engine before the
 * check passes. A fact the provider does not report (Pulumi's mocks) is not compared.
 */
export function providerGuard(
  target: string,
  facts: pulumi.Output<readonly ProviderFact[]>,
): pulumi.Output<true> {
  return facts.apply((all) => {
    const wrong = all.filter((f) => f.actual !== undefined && f.actual !== f.expected);
    if (wrong.length === 0) return true as const;
    const described = wrong
      .map((f) => `${f.what} ${quote(f.actual!)} where the target says ${quote(f.expected)}`)
      .join(", and ");
    throw new TrustplaneError([
      error(
        "provider_mismatch",
        ["providers", target],
        `the provider of target ${quote(target)} reaches ${described}: nothing was deployed; give the target a provider with credentials for it (the TrustPlane option providers: { ${quote(target)}: … }) or correct the target`,
      ),
    ]);
  });
}
