import { backendOf } from "../backends";
import type { Cloud } from "../backends/cloud";
import { compileDocument } from "../compile";
import type { Issue } from "../errors";
import type { DocumentIR, IdentityIR } from "../ir/types";
import type { IdentityPlan, Plan } from "../plan/types";
import type { TokenClaims } from "./token-claims";
import { audiencesOf, intentAccepts } from "./token-claims";
import type { CorpusToken } from "./corpus";
import { corpus } from "./corpus";
import { evaluateGrant } from "./explain";

/** A token on which a cloud's artefacts and the intent disagree. */
export interface Divergence {
  readonly identity: string;
  readonly target: string;
  readonly cloud: Cloud;
  readonly origin: string;
  readonly token: TokenClaims;
  /** What the intent means for this token. */
  readonly intent: boolean;
  /** What the cloud's artefacts decide, and why. */
  readonly allowed: boolean;
  readonly reason: string;
}

/** Per identity × grant: how many tokens were tried and how many decisions agreed. */
export interface GrantTally {
  readonly identity: string;
  readonly target: string;
  readonly cloud: Cloud;
  readonly tried: number;
  readonly agreed: number;
  /** How many of the tried tokens the intent accepts: a check of only refusals proves little. */
  readonly accepted: number;
}

export interface Verification {
  readonly ok: boolean;
  /** Distinct tokens tried, over all identities. */
  readonly tokens: number;
  readonly grants: readonly GrantTally[];
  readonly divergences: readonly Divergence[];
}

/**
 * The differential check: for every identity, a corpus of tokens its selectors accept and of
 * adversarial neighbours (see `corpus`); for every grant, the cloud's compiled artefacts must
 * decide each token as the intent does — accepted exactly when the token comes from the
 * issuer, matches a selector and carries the grant's audience. Never throws; a document with
 * errors gives its issues instead.
 */
export function verify(document: unknown): {
  verification?: Verification;
  issues: readonly Issue[];
} {
  const { plan, ir, issues } = compileDocument(document);
  if (!plan || !ir) return { issues };
  return { verification: verifyPlan(ir, plan), issues };
}

/**
 * `verify` on a compiled plan: tests hand it tampered artefacts to show that it catches them.
 *
 * @internal
 */
export function verifyPlan(ir: DocumentIR, plan: Plan): Verification {
  const grants: GrantTally[] = [];
  const divergences: Divergence[] = [];
  let tokens = 0;
  for (const identityPlan of plan.identities) {
    const identity = ir.identities.find((i) => i.name === identityPlan.name)!;
    const tokensOf = identityCorpus(identity, identityPlan, ir.identities);
    tokens += tokensOf.length;
    for (const grant of identityPlan.grants) {
      let agreed = 0;
      let accepted = 0;
      for (const { claims, origin } of tokensOf) {
        const audiences = audiencesOf(claims) ?? [grant.audience];
        const intent = intentAccepts(identity, claims) && audiences.includes(grant.audience);
        const verdict = evaluateGrant(identity, grant, claims);
        if (intent) accepted++;
        if (verdict.allowed === intent) agreed++;
        else {
          divergences.push({
            identity: identity.name,
            target: grant.target,
            cloud: grant.cloud,
            origin,
            token: claims,
            intent,
            ...verdict,
          });
        }
      }
      grants.push({
        identity: identity.name,
        target: grant.target,
        cloud: grant.cloud,
        tried: tokensOf.length,
        agreed,
        accepted,
      });
    }
  }
  const ok = divergences.length === 0 && grants.every((g) => g.accepted > 0);
  return { ok, tokens, grants, divergences };
}

/**
 * The tokens `verify` tries on one identity: its corpus, with the attacker tokens shaped to pass
 * the sub values its compiled grants accept.
 *
 * @internal
 */
export function identityCorpus(
  identity: IdentityIR,
  plan: IdentityPlan,
  identities: readonly IdentityIR[],
): CorpusToken[] {
  const patterns = plan.grants.flatMap((g) => backendOf(g.cloud).subPatterns(g.artefacts));
  return corpus(identity, identities, [...new Set(patterns)]);
}
