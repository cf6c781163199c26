import type { IssuerModel, MutableClaims } from "../claims/issuer";
import type { Matcher } from "../claims/matcher";
import { finiteValues } from "../claims/matcher";
import { own } from "../internal/own";
import type { IdentityIR, SelectorIR } from "../ir/types";
import { attackerTokens, hostileTokens } from "./attacker";
import type { TokenClaims } from "./token-claims";
import { mint, possible, satisfying } from "./minting";

/** A token of the corpus, and how it was made (for reports). */
export interface CorpusToken {
  readonly claims: TokenClaims;
  readonly origin: string;
}

/** Cap on the tokens one selector expands into before mutations. */
const MAX_INSTANCES = 12;
/** How many other identities of the issuer lend their tokens (work would grow with their square). */
const MAX_SIBLINGS = 16;

/** Values that change which layout of `sub` a token gets, tried where a selector leaves them open. */
const CONTEXT: Readonly<Record<string, readonly (string | undefined)[]>> = {
  environment: ["production", "staging", undefined],
  event_name: ["pull_request", "pull_request_target", "workflow_dispatch", "push"],
  ref: ["refs/heads/main", "refs/heads/evil", "refs/tags/v9.9.9", "refs/pull/7/merge"],
  ref_type: ["branch", "tag"],
  terraform_run_phase: ["plan", "apply"],
  terraform_workspace_name: ["prod", "prod-evil", undefined],
  build_tag: ["v1", undefined],
};

/**
 * The tokens `verify` tries on one identity: instances of every selector (each oneOf value,
 * pattern instances, the selector's claims absent where it says so), then adversarial
 * neighbours of each — every selected claim changed one way at a time (a shared prefix, another
 * owner, case, unicode look-alikes, ':' and '%3A', a missing claim, a huge value, tag for
 * branch), the claims that pick a sub layout varied, another issuer, a wrong audience, no
 * audience, and the other identities' own tokens; then hostile tokens (claims named like
 * prototype members, values that are not strings, values holding the template's literals) and
 * the attacker tokens shaped to pass `patterns`, the compiled artefacts' sub values (see
 * `attacker.ts`). Tokens that no issuer could mint (GitHub's owner not the repository's, say)
 * are left out: they would test nothing.
 */
export function corpus(
  identity: IdentityIR,
  others: readonly IdentityIR[],
  patterns: readonly string[] = [],
): CorpusToken[] {
  const out = new Map<string, CorpusToken>();
  const add = (claims: TokenClaims | undefined, origin: string) => {
    if (!claims) return;
    const clean = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
    // by key alone: keys are unique, and comparing whole entries stringifies huge values
    const key = JSON.stringify(
      Object.entries(clean).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    if (!out.has(key)) out.set(key, { claims: clean, origin });
  };
  const { issuer } = identity;
  const firsts = new Map<number, MutableClaims>();
  identity.selectors.forEach((selector, i) => {
    const where = `subjects[${i}]`;
    for (const positive of instances(issuer, selector)) {
      if (!firsts.has(i)) firsts.set(i, positive);
      add(positive, where);
      for (const [claim, value] of neighbours(issuer, selector, positive)) {
        const fixed = new Set([...selector.claims.keys(), claim]);
        add(
          mint(issuer, { ...positive, [claim]: value }, fixed),
          `${where} with ${change(claim, value)}`,
        );
      }
      for (const [label, token] of layouts(issuer, positive)) add(token, `${where} as ${label}`);
      add({ ...positive, iss: `${issuer.url}.evil.example` }, `${where} from another issuer`);
      add({ ...positive, aud: "https://github.com/acme" }, `${where} with another audience`);
    }
  });
  // the other identities of the same issuer: their tokens must not slip through
  const siblings = others.filter((o) => o !== identity && o.issuerName === identity.issuerName);
  for (const other of siblings.slice(0, MAX_SIBLINGS)) {
    other.selectors.forEach((selector, i) => {
      const [first] = instances(other.issuer, selector);
      add(first, `identity ${other.name} subjects[${i}]`);
    });
  }
  for (const { claims, origin } of hostileTokens(identity, firsts)) add(claims, origin);
  for (const { claims, origin } of attackerTokens(identity, patterns)) add(claims, origin);
  return [...out.values()];
}

function change(claim: string, value: string | undefined): string {
  if (value === undefined) return `${claim} absent`;
  return `${claim} = ${JSON.stringify(value.length > 60 ? `${value.slice(0, 40)}…` : value)}`;
}

/** Tokens a selector accepts: the issuer's sample with the selector's values written in. */
function instances(issuer: IssuerModel, selector: SelectorIR): MutableClaims[] {
  let rows: MutableClaims[] = [{}];
  for (const [claim, m] of selector.claims) {
    const values = valuesFor(issuer, claim, m);
    rows = rows
      .flatMap((row) => values.map((v) => ({ ...row, [claim]: v })))
      .slice(0, MAX_INSTANCES);
  }
  const fixed = new Set(selector.claims.keys());
  return rows.flatMap((row) => {
    const token = mint(issuer, { ...issuer.sample, ...row }, fixed);
    return token ? [token] : [];
  });
}

function valuesFor(issuer: IssuerModel, claim: string, m: Matcher): (string | undefined)[] {
  if (m.kind === "absent") return [undefined];
  const values = finiteValues(m);
  if (values) return [...values];
  const p = (m as { pattern: string }).pattern;
  const fills = ["", "x", "release-2026.1", "a/b"];
  return [
    ...new Set(fills.map((f) => p.replaceAll("*", f).replaceAll("?", f.slice(0, 1) || "q"))),
  ].filter((v) => possible(issuer, claim, v));
}

/** Other values for each claim the selector names, and for the claims that choose sub's layout. */
function neighbours(
  issuer: IssuerModel,
  selector: SelectorIR,
  token: MutableClaims,
): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (const claim of selector.claims.keys()) {
    const value = own(token, claim);
    if (value === undefined) {
      out.push([claim, own(issuer.sample, claim) ?? "production"]);
      continue;
    }
    if (claim !== "sub") out.push([claim, undefined]);
    for (const v of variants(value)) if (possible(issuer, claim, v)) out.push([claim, v]);
  }
  for (const [claim, values] of Object.entries(CONTEXT)) {
    if (selector.claims.has(claim) || !issuer.claims.has(claim)) continue;
    for (const v of values) if (v !== own(token, claim)) out.push([claim, v]);
  }
  return out;
}

/**
 * The token moved into each layout of the issuer's sub (GitHub: an environment job, a pull
 * request, a push), changing as many claims as the layout needs, selected ones included.
 */
function layouts(issuer: IssuerModel, token: MutableClaims): [string, MutableClaims][] {
  const out: [string, MutableClaims][] = [];
  for (const c of issuer.subject?.cases ?? []) {
    const moved: MutableClaims = { ...token };
    for (const [claim, guard] of Object.entries(c.when)) {
      moved[claim] = satisfying(issuer, claim, guard, own(token, claim));
    }
    const minted = mint(issuer, moved, new Set(Object.keys(c.when)));
    if (minted) out.push([c.label, minted]);
  }
  return out;
}

/** The values an attacker would try next to `value`. */
function variants(value: string): string[] {
  const out = [
    `${value}-evil`,
    `evil-${value}`,
    value.toUpperCase(),
    value.toLowerCase(),
    lookalike(value),
    `${value}:x`,
    `${value}%3Ax`,
    value.replaceAll(":", "%3A"),
    value.slice(0, -1),
    `${value} `,
    `${value}${"x".repeat(1100)}`,
  ];
  const slash = value.indexOf("/");
  if (slash > 0) out.push(`${value.slice(0, slash)}-evil${value.slice(slash)}`);
  if (value.startsWith("refs/heads/")) out.push(`refs/tags/${value.slice(11)}`);
  if (value.startsWith("refs/tags/")) out.push(`refs/heads/${value.slice(10)}`);
  return [...new Set(out)].filter((v) => v !== value && v !== "");
}

/** The value with its first a, e or o replaced by the Cyrillic letter that looks the same. */
function lookalike(value: string): string {
  return value.replace(/[aeo]/, (ch) => ({ a: "\u0430", e: "\u0435", o: "\u043e" })[ch as "a"]);
}

/**
 * The tokens that judge deployed trust against an identity: its corpus with attacker tokens
 * shaped to `patterns` (the compiled and the deployed sub values), and the issuer's ordinary
 * token, so that an identity no token meets still has its deployed trust judged.
 */
export function judgedTokens(
  identity: IdentityIR,
  others: readonly IdentityIR[],
  patterns: readonly string[],
): TokenClaims[] {
  const tokens = corpus(identity, others, patterns).map((t) => t.claims);
  const sample = mint(identity.issuer, { ...identity.issuer.sample }, new Set());
  return sample ? [...tokens, sample] : tokens;
}
