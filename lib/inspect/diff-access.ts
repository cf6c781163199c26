import { backendOf } from "../backends";
import type { Cloud } from "../backends/cloud";
import { describeSelector } from "../claims/matcher";
import { canonical } from "../internal/canonical";
import type { IdentityIR, SelectorIR } from "../ir/types";
import type { GrantPlan, IdentityPlan } from "../plan/types";
import { corpus } from "./corpus";
import { mint } from "./minting";
import type { TokenClaims } from "./token-claims";
import {
  NOT_STRING,
  audiencesOf,
  claimValue,
  describeClaim,
  selectorAccepts,
} from "./token-claims";
import type { Verdict } from "./verdict";

/** A token that one grant's compiled artefacts decide differently in the two versions. */
export interface AccessChange {
  readonly identity: string;
  readonly target: string;
  readonly cloud: Cloud;
  /** `gained`: HEAD's artefacts accept the token and BASE's refuse it; `lost`: the reverse. */
  readonly change: "gained" | "lost";
  readonly token: TokenClaims;
  /**
   * The token in the intent's terms: its values of the claims that the selector accepting it
   * names and of the selectors that changed (`environment = "staging" and repository =
   * "acme/api"`).
   */
  readonly summary: string;
  /**
   * The selector that accepts the token, in words, of HEAD for a gain and of BASE for a loss;
   * absent when none does (the artefacts and the intent disagree, which `verify` reports).
   */
  readonly selector?: string;
  /** Both clouds' decisions, in their own terms: why the token is allowed, and why refused. */
  readonly reason: string;
}

/** One identity in one version of the document, with what its decisions depend on. */
export interface VersionedIdentity {
  readonly identity: IdentityIR;
  readonly plan: IdentityPlan;
  /** The document's identities: the corpus borrows the tokens of the issuer's others. */
  readonly others: readonly IdentityIR[];
  /** The issuer's entry as the document writes it, canonical: the evaluators read its model. */
  readonly issuer: string;
}

/**
 * The tokens whose decision changes between BASE and HEAD, per grant of one identity (either
 * version may lack it, or the grant: then it refuses every token). The corpus is `verify`'s for
 * the identity in both versions (selector instances, adversarial neighbours, attacker tokens
 * shaped to the `sub` values of either version's artefacts) with the issuer's ordinary token,
 * each without `aud` tried with both versions' audiences; each token is decided by the cloud's
 * evaluator on both versions' artefacts. Of the tokens with one summary, the first is reported:
 * the others differ only in claims the summary does not show. A grant whose issuer, selectors,
 * audience and artefacts are equal in both is decided alike on every token, so it is skipped
 * without a corpus, unless `decideAll` (the tests and the benchmark check the skip with it).
 */
export function accessChanges(
  base: VersionedIdentity | undefined,
  head: VersionedIdentity | undefined,
  decideAll = false,
): AccessChange[] {
  const grants = (v?: VersionedIdentity) => v?.plan.grants ?? [];
  const targets = [...new Set([...grants(head), ...grants(base)].map((g) => g.target))];
  const pairs = targets
    .map((target) => ({
      target,
      before: grants(base).find((g) => g.target === target),
      after: grants(head).find((g) => g.target === target),
    }))
    .filter((p) => decideAll || !decidedAlike(base, head, p.before, p.after));
  if (pairs.length === 0) return [];
  const tokens = corpusOf([head, base]);
  const changed = changedClaims(base, head);
  // claims the summaries lead with when the versions differ in them
  const iss = base && head && base.identity.issuer.url !== head.identity.issuer.url ? ["iss"] : [];
  const out: AccessChange[] = [];
  for (const { target, before, after } of pairs) {
    const audiences = [before?.audience, after?.audience].filter((a) => a !== undefined);
    const extra = [...iss, ...(new Set(audiences).size > 1 ? ["aud"] : [])];
    const said = new Set<string>();
    const found: Record<AccessChange["change"], AccessChange[]> = { gained: [], lost: [] };
    for (const claims of tokens.flatMap((t) => withAudiences(t, audiences))) {
      const was = decide(base, before, claims, target);
      const now = decide(head, after, claims, target);
      if (was.allowed === now.allowed) continue;
      const [change, side, why] = now.allowed
        ? (["gained", head!, `allowed now: ${now.reason}; refused before: ${was.reason}`] as const)
        : (["lost", base!, `allowed before: ${was.reason}; refused now: ${now.reason}`] as const);
      const accepting = side.identity.selectors.find((s) => selectorAccepts(s, claims));
      const words = summary(claims, accepting, changed, extra);
      // one token per summary: the others differ only in claims no selector names
      if (said.has(`${change} ${words}`)) continue;
      said.add(`${change} ${words}`);
      found[change].push({
        identity: side.identity.name,
        target,
        cloud: (after ?? before)!.cloud,
        change,
        token: claims,
        summary: words,
        ...(accepting ? { selector: describeSelector(accepting.claims) } : {}),
        reason: why,
      });
    }
    out.push(...found.gained, ...found.lost);
  }
  return out;
}

/** Whether every token is decided alike: the evaluators read the issuer and the artefacts. */
function decidedAlike(
  base: VersionedIdentity | undefined,
  head: VersionedIdentity | undefined,
  before: GrantPlan | undefined,
  after: GrantPlan | undefined,
): boolean {
  if (!base || !head || !before || !after) return false;
  return (
    base.issuer === head.issuer &&
    base.identity.issuer.url === head.identity.issuer.url &&
    selectorsKey(base.identity) === selectorsKey(head.identity) &&
    before.cloud === after.cloud &&
    before.audience === after.audience &&
    canonical(before.artefacts) === canonical(after.artefacts)
  );
}

const selectorsKey = (identity: IdentityIR) =>
  canonical(identity.selectors.map((s) => [...s.claims]));

/**
 * Both versions' corpora of the identity, each with the attacker tokens of each version's `sub`
 * patterns (of every grant, as verify's: a skipped grant changes no token) in a corpus of its
 * own, since their number is capped; and the issuer's ordinary token. Each token once, the
 * selectors' own instances first, so the first token of a summary is an ordinary one.
 */
function corpusOf(versions: readonly (VersionedIdentity | undefined)[]): TokenClaims[] {
  const present = versions.filter((v) => v !== undefined);
  const patterns = present.map((v) => [
    ...new Set(v.plan.grants.flatMap((g) => backendOf(g.cloud).subPatterns(g.artefacts))),
  ]);
  const plain: TokenClaims[] = [];
  const rest: TokenClaims[] = [];
  const seen = new Set<string>();
  for (const v of present) {
    const sample = mint(v.identity.issuer, { ...v.identity.issuer.sample }, new Set());
    const tokens = [
      ...patterns.flatMap((p) => corpus(v.identity, v.others, p)),
      ...(sample ? [{ claims: sample, origin: "sample" }] : []),
    ];
    for (const { claims, origin } of tokens) {
      const key = canonical(claims);
      if (seen.has(key)) continue;
      seen.add(key);
      (/^subjects\[\d+\]$/.test(origin) ? plain : rest).push(claims);
    }
  }
  return [...plain, ...rest];
}

/** The token as sent with each audience, when it names none: each version expects its own. */
function withAudiences(claims: TokenClaims, audiences: readonly string[]): TokenClaims[] {
  if (audiencesOf(claims) !== undefined) return [claims];
  return [...new Set(audiences)].map((aud) => ({ ...claims, aud }));
}

/** The cloud's verdict in one version; a version without the identity or grant refuses. */
function decide(
  version: VersionedIdentity | undefined,
  grant: GrantPlan | undefined,
  claims: TokenClaims,
  target: string,
): Verdict {
  if (!version) return { allowed: false, reason: "the document has no such identity" };
  if (!grant) return { allowed: false, reason: `the identity has no grant on ${target}` };
  const audiences = audiencesOf(claims) ?? [grant.audience];
  return backendOf(grant.cloud).evaluate(version.identity, grant, claims, audiences);
}

/**
 * The claims named by the selectors one version has and the other lacks: where the versions
 * differ, so what a summary must show (a dropped `environment: {absent: true}` leaves no
 * selector that names environment on the side that gains).
 */
function changedClaims(
  base: VersionedIdentity | undefined,
  head: VersionedIdentity | undefined,
): string[] {
  const key = (s: SelectorIR) => canonical([...s.claims]);
  const keys = (v?: VersionedIdentity) => new Set(v?.identity.selectors.map(key));
  const [was, now] = [keys(base), keys(head)];
  const only = [
    ...(base?.identity.selectors.filter((s) => !now.has(key(s))) ?? []),
    ...(head?.identity.selectors.filter((s) => !was.has(key(s))) ?? []),
  ];
  return [...new Set(only.flatMap((s) => [...s.claims.keys()]))];
}

/**
 * The token's values of the claims the selector accepting it names and of the `changed` ones
 * (when no selector accepts it, as where the artefacts and the intent disagree, which `verify`
 * reports, of those alone), long values cut short. `extra` claims (`iss`, `aud`) lead when the
 * versions differ in them.
 */
function summary(
  claims: TokenClaims,
  accepting: SelectorIR | undefined,
  changed: readonly string[],
  extra: readonly string[],
): string {
  const names = [...new Set([...(accepting?.claims.keys() ?? []), ...changed])].sort();
  return [...extra, ...names.filter((n) => !extra.includes(n))]
    .map((name) => {
      const value = claimValue(claims, name);
      if (value === undefined) return `no ${name}`;
      if (value === NOT_STRING) return `${name} = ${describeClaim(claims, name)}`;
      return `${name} = ${JSON.stringify(value.length > 100 ? `${value.slice(0, 80)}…` : value)}`;
    })
    .join(" and ");
}
