import { CLOUDS, backendOf } from "./backends";
import { describeSelector } from "./claims/matcher";
import type { Issue } from "./errors";
import { TrustplaneError, error, isError } from "./errors";
import { parseDocument } from "./intent/parse";
import { resolve } from "./ir/resolve";
import type { DocumentIR, GrantIR, IdentityIR } from "./ir/types";
import type { GrantPlan, IdentityPlan, Plan } from "./plan/types";

/** The outcome of analysing a document: every issue, and the plan when there is no error. */
export interface Analysis {
  readonly plan?: Plan;
  readonly issues: readonly Issue[];
}

/**
 * Validates a document and compiles every identity × grant into the artefacts each cloud will
 * enforce. Pure and synchronous; never throws on bad input.
 */
export function analyse(document: unknown): Analysis {
  const { plan, issues } = compileDocument(document);
  return plan ? { plan, issues } : { issues };
}

/**
 * `analyse`, keeping the IR next to the plan: `explain` and `verify` need the selectors that
 * the plan compiled.
 *
 * @internal
 */
export function compileDocument(document: unknown): Analysis & { readonly ir?: DocumentIR } {
  const parsed = parseDocument(document);
  if (!parsed.document) return { issues: parsed.issues };
  const { ir, issues } = resolve(parsed.document);
  const identities = ir.identities.map((identity) => planIdentity(identity, issues));
  for (const issue of nameConflicts(identities, ir.identities)) issues.push(issue);
  const shared = share(identities, ir.identities);
  for (const issue of shared.issues) issues.push(issue);
  const plan = { identities: shared.plans };
  return issues.some(isError) ? { issues } : { plan, ir, issues };
}

/** Every error and warning in the document; never throws. */
export function check(document: unknown): readonly Issue[] {
  return analyse(document).issues;
}

/**
 * The plan of a valid document, with its warnings.
 *
 * @throws TrustplaneError listing every error, when there is one
 */
export function compile(document: unknown): { plan: Plan; warnings: readonly Issue[] } {
  const { plan, issues } = analyse(document);
  if (!plan) throw new TrustplaneError(issues.filter(isError));
  return { plan, warnings: issues };
}

function planIdentity(identity: IdentityIR, issues: Issue[]): IdentityPlan {
  const grants = identity.grants.map((grant) => {
    const built = planGrant(identity, grant);
    for (const issue of built.issues) issues.push(issue);
    return built.plan;
  });
  return {
    name: identity.name,
    issuer: identity.issuerName,
    issuerUrl: identity.issuer.url,
    accepts: identity.selectors.map((s) => describeSelector(s.claims)),
    grants,
  };
}

function planGrant(identity: IdentityIR, grant: GrantIR): { plan: GrantPlan; issues: Issue[] } {
  const { cloud, name: target } = grant.target;
  const { audience, artefacts, resources, issues } = backendOf(cloud).grant(identity, grant);
  return { plan: { target, cloud, audience, resources, artefacts } as GrantPlan, issues };
}

/**
 * What each cloud's grants share across the document (AWS's OIDC providers), applied once every
 * grant is built; the issues of the limits on sharing.
 */
function share(
  plans: readonly IdentityPlan[],
  identities: readonly IdentityIR[],
): { plans: IdentityPlan[]; issues: Issue[] } {
  const out = plans.map((p) => ({ ...p, grants: [...p.grants] }));
  const issues: Issue[] = [];
  for (const cloud of CLOUDS) {
    const at: [number, number][] = [];
    const placed = plans.flatMap((p, i) =>
      p.grants.flatMap((plan, k) => {
        if (plan.cloud !== cloud) return [];
        at.push([i, k]);
        return [{ plan, grant: identities[i]!.grants[k]!, identity: identities[i]! }];
      }),
    );
    const shared = backendOf(cloud).share(placed);
    shared.plans.forEach((plan, n) => (out[at[n]![0]]!.grants[at[n]![1]] = plan));
    issues.push(...shared.issues);
  }
  return { plans: out, issues };
}

/** Physical names the clouds require to be unique, checked across identities. */
function nameConflicts(plans: readonly IdentityPlan[], identities: readonly IdentityIR[]): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, string>();
  plans.forEach((plan, i) => {
    plan.grants.forEach((g, k) => {
      const path = identities[i]!.grants[k]!.path;
      const owner = `identity ${plan.name} (${g.target})`;
      for (const { key, option, what } of backendOf(g.cloud).uniqueNames(g)) {
        const first = seen.get(key);
        if (first === undefined) seen.set(key, owner);
        else
          issues.push(
            error(
              "name_conflict",
              [...path, option],
              `${what} is also used by ${first}; set a different one on this grant`,
            ),
          );
      }
    });
  });
  return issues;
}
