import { backendOf } from "../backends";
import { compileDocument } from "../compile";
import type { Issue } from "../errors";
import { error } from "../errors";
import { plainData } from "../intent/plain";
import type { DocumentIR, IdentityIR } from "../ir/types";
import type { GrantPlan, IdentityPlan, Plan } from "../plan/types";
import type { TokenClaims } from "./token-claims";
import { tokenNotes } from "./token-notes";
import { audiencesOf } from "./token-claims";
import type { Decision, Verdict } from "./verdict";

export type { Decision } from "./verdict";

export interface Explanation {
  readonly decisions: readonly Decision[];
  /** True when the token had no `aud`, so each grant was checked with the audience it expects. */
  readonly audienceAssumed: boolean;
  /**
   * What the token's `sub` says beyond the decisions, in words: a GitHub subject format other
   * than its issuer declares, a `sub` that contradicts the token's other claims (`tokenNotes`).
   */
  readonly notes: readonly string[];
}

/**
 * Decides, for every identity × grant of a document, whether each cloud admits the token — by
 * evaluating the compiled artefacts (trust policy, federated credentials, provider mapping and
 * condition), not the intent; with notes on what the token's `sub` says beyond the decisions.
 * Never throws; a document with errors gives its issues instead.
 */
export function explain(
  document: unknown,
  claims: TokenClaims,
): { explanation?: Explanation; issues: readonly Issue[] } {
  const { plan, ir, issues } = compileDocument(document);
  if (!plan || !ir) return { issues };
  const token = plainData(claims, "token");
  if (token.issues.length)
    return { issues: token.issues.map((i) => ({ ...i, path: ["token", ...i.path] })) };
  if (typeof token.data !== "object" || token.data === null || Array.isArray(token.data))
    return { issues: [error("invalid_type", ["token"], "a token is an object of claims")] };
  return { explanation: explainPlan(ir, plan, token.data as TokenClaims), issues };
}

/**
 * `explain` on a compiled plan: the identities of `plan` only, so a plan narrowed to some
 * identities gives their decisions and notes.
 */
export function explainPlan(ir: DocumentIR, plan: Plan, claims: TokenClaims): Explanation {
  const identities = plan.identities.map((p) => ir.identities.find((i) => i.name === p.name)!);
  const decisions = plan.identities.flatMap((p, n) =>
    p.grants.map((g) => decide(identities[n]!, p, g, claims)),
  );
  return {
    decisions,
    audienceAssumed: audiencesOf(claims) === undefined,
    notes: tokenNotes(identities, claims, decisions),
  };
}

/** The decision of one grant's cloud on a token. */
export function decide(
  identity: IdentityIR,
  plan: IdentityPlan,
  grant: GrantPlan,
  claims: TokenClaims,
): Decision {
  const verdict = evaluateGrant(identity, grant, claims);
  return { identity: plan.name, target: grant.target, cloud: grant.cloud, ...verdict };
}

/** The cloud's verdict; a token without `aud` is taken to carry the grant's audience. */
export function evaluateGrant(
  identity: IdentityIR,
  grant: GrantPlan,
  claims: TokenClaims,
): Verdict {
  const audiences = audiencesOf(claims) ?? [grant.audience];
  return backendOf(grant.cloud).evaluate(identity, grant, claims, audiences);
}
