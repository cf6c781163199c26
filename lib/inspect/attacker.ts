import { splits } from "../claims/alignment";
import type { IssuerModel, MutableClaims } from "../claims/issuer";
import { claimSpec } from "../claims/issuer";
import type { SubjectLayouts } from "../claims/layouts";
import { segments } from "../claims/layouts";
import { matches } from "../claims/matcher";
import { subjectClaims } from "../claims/subject";
import type { SubjectCase } from "../claims/template";
import { bare, own } from "../internal/own";
import type { IdentityIR } from "../ir/types";
import type { TokenClaims } from "./token-claims";
import { mint, possible, satisfying } from "./minting";

/** A token an attacker shaped, and how. */
export interface ShapedToken {
  readonly claims: TokenClaims;
  readonly origin: string;
}

/** Cap on the filled subs tried per identity, so verify's cost stays linear in the document. */
const MAX_FILLED = 400;
/** Readings of one filled sub through the declared layout. */
const MAX_SPLITS = 3;

/** Claim names an object's prototype has: a token may carry them like any other claim. */
const PROTOTYPE_NAMES = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"];

/** JSON values that are not strings, in place of a selected claim. */
const NOT_STRINGS: readonly unknown[] = [null, 7, true, ["x"], { value: "x" }];

/**
 * Tokens that test how the artefacts read hostile claims, made from tokens the identity accepts
 * (`positives`): extra claims named like prototype members (`constructor`, `__proto__`…), each
 * selected claim (and `sub`, `iss`) as a JSON value that is not a string, and each value of the
 * declared sub layout holding the literal text that follows it there (`payments:app:evil` for
 * `ns:{namespace}:app:{app}`), which the issuer writes into sub as it is.
 */
export function hostileTokens(
  identity: IdentityIR,
  positives: ReadonlyMap<number, MutableClaims>,
): ShapedToken[] {
  const { issuer } = identity;
  const out: ShapedToken[] = [];
  positives.forEach((token, i) => {
    const selector = identity.selectors[i]!;
    const where = `hostile: subjects[${i}]`;
    const named = bare<unknown>(token);
    for (const name of PROTOTYPE_NAMES) named[name] = "x";
    out.push({ claims: named, origin: `${where} with claims named like prototype members` });
    // a claim written into sub cannot change while sub stays: the issuer would never mint that
    const inSub = issuer.subject ? subjectClaims(issuer.subject, token) : new Set<string>();
    // nor can a claim that follows from one in sub (GitLab's namespace_path from project_path)
    for (const { claim, path } of issuer.ownerPaths ?? []) if (inSub.has(path)) inSub.add(claim);
    for (const claim of new Set(["sub", "iss", ...selector.claims.keys()])) {
      if (inSub.has(claim)) continue;
      for (const value of NOT_STRINGS) {
        const changed = bare<unknown>(token);
        changed[claim] = value;
        out.push({ claims: changed, origin: `${where} with ${claim} = ${JSON.stringify(value)}` });
      }
    }
    for (const c of issuer.subject?.cases ?? []) {
      c.parts.forEach((part, i) => {
        const next = c.parts[i + 1];
        if (typeof part !== "object" || !("claim" in part) || typeof next !== "string") return;
        const value = own(token, part.claim) ?? "x";
        const held = `${value}${next}evil`;
        if (!possible(issuer, part.claim, held)) return;
        const minted = mint(issuer, { ...token, [part.claim]: held }, new Set([part.claim]));
        if (minted)
          out.push({
            claims: minted,
            origin: `${where} with ${part.claim} = ${JSON.stringify(held)}, holding the text that follows it in sub`,
          });
      });
    }
  });
  return out;
}

/**
 * Tokens shaped to pass compiled sub values (`patterns`, from the trust policies and federated
 * credentials): every wildcard is filled, one at a time, with text an attacker controls — the end
 * of the value it stands in (their own repository), then a key of a layout of their own and a
 * value they type (`mallory/tools:workflow:x`), or text holding the layout's literals
 * (`evil:app:web`). Each filled sub is read as another principal's own layout would write it
 * (GitHub's include_claim_keys, GitLab's sub components: a principal no selector names), and
 * through the declared layout with values that may hold its literals. Only tokens the issuer
 * can mint are kept.
 */
export function attackerTokens(identity: IdentityIR, patterns: readonly string[]): ShapedToken[] {
  const { issuer } = identity;
  const out: ShapedToken[] = [];
  const seen = new Set<string>();
  const candidates = fills(issuer);
  for (const pattern of patterns) {
    for (const sub of filled(pattern, candidates)) {
      if (seen.size >= MAX_FILLED) return out;
      if (seen.has(sub)) continue;
      seen.add(sub);
      const origin = `attacker: ${JSON.stringify(pattern)} filled as ${JSON.stringify(sub)}`;
      const stranger = issuer.layouts && foreignToken(issuer, issuer.layouts, sub);
      if (stranger && !named(identity, issuer.layouts, stranger))
        out.push({
          claims: stranger,
          origin: `${origin}, another ${issuer.layouts.principal}'s own layout`,
        });
      for (const c of issuer.subject?.cases ?? []) {
        for (const values of splits(sub, c, (k) => claimSpec(issuer, k), MAX_SPLITS)) {
          const token = declaredToken(issuer, c, values, sub);
          if (token) out.push({ claims: token, origin: `${origin}, read as ${c.label}` });
        }
      }
    }
  }
  return out;
}

/** Text to put in place of a wildcard: plain, closing the value and going on as the attacker. */
function fills(issuer: IssuerModel): string[] {
  const out = new Set(["", "x"]);
  const layouts = issuer.layouts;
  if (layouts) {
    for (const closer of ["x", ...layouts.closers]) {
      out.add(closer);
      for (const key of layouts.freeKeys) out.add(`${closer}:${key}:x`);
    }
  }
  for (const c of issuer.subject?.cases ?? [])
    for (const part of c.parts) if (typeof part === "string") out.add(`x${part}x`);
  return [...out];
}

/** The pattern with its wildcards filled: each alone with each candidate, then all alike. */
function* filled(pattern: string, candidates: readonly string[]): Generator<string> {
  const chars = Array.from(pattern);
  const wild = chars.flatMap((ch, i) => (ch === "*" || ch === "?" ? [i] : []));
  if (wild.length === 0) yield pattern;
  // a '?' stands for one character: the separators are the ones that matter
  const choices = (i: number) => (chars[i] === "?" ? ["x", ":", "/", "@"] : candidates);
  const fill = (choose: (i: number) => string) =>
    chars.map((ch, i) => (wild.includes(i) ? choose(i) : ch)).join("");
  for (const w of wild) for (const c of choices(w)) yield fill((i) => (i === w ? c : "x"));
  for (const c of candidates) yield fill((i) => (chars[i] === "?" ? "x" : c));
}

/** A token of a principal whose own layout writes exactly `sub`; undefined if no layout does. */
function foreignToken(
  issuer: IssuerModel,
  layouts: SubjectLayouts,
  sub: string,
): MutableClaims | undefined {
  const read = segments(layouts, sub, true);
  if (!read) return undefined;
  const token = bare<string | undefined>({ ...issuer.sample, ...layouts.stranger });
  const fixed = new Set<string>();
  for (const { key, value } of read) {
    if (value && !layouts.isValue(key, value.value)) return undefined;
    const facts = value ? layouts.facts(key, value).map(([k, f]) => [k, f.value] as const) : [];
    const written: (readonly [string, string | undefined])[] = !value
      ? Object.entries(own(layouts.bareClaims, key) ?? {})
      : facts.length
        ? facts
        : [[key, value.value]];
    for (const [claim, v] of written) {
      // a layout may name a claim twice; the issuer writes the one value both times
      if (fixed.has(claim) && token[claim] !== v) return undefined;
      token[claim] = v;
      fixed.add(claim);
    }
  }
  if (issuer.restoreInvariants && !issuer.restoreInvariants(token, fixed)) return undefined;
  token.iss = issuer.url;
  token.sub = sub;
  return token;
}

/** Whether a selector names the token's sender: every principal claim it selects matches. */
function named(identity: IdentityIR, layouts: SubjectLayouts, token: MutableClaims): boolean {
  return identity.selectors.some((s) =>
    layouts.claims.every((claim) => {
      const m = s.claims.get(claim);
      return !m || matches(m, own(token, claim));
    }),
  );
}

/** The token whose sub the declared layout writes from these values; undefined if it cannot. */
function declaredToken(
  issuer: IssuerModel,
  c: SubjectCase,
  values: readonly (string | undefined)[],
  sub: string,
): MutableClaims | undefined {
  const token = bare<string | undefined>(issuer.sample);
  const fixed = new Set<string>();
  c.parts.forEach((part, i) => {
    if (typeof part === "object" && "claim" in part) {
      token[part.claim] = values[i];
      fixed.add(part.claim);
    }
  });
  const split = issuer.subject?.split;
  if (split && fixed.has(split.into[1])) {
    token[split.claim] = `${token[split.into[0]]}${split.at}${token[split.into[1]]}`;
    delete token[split.into[1]];
    fixed.add(split.claim);
  }
  for (const [claim, guard] of Object.entries(c.when)) {
    if (fixed.has(claim)) continue;
    token[claim] = satisfying(issuer, claim, guard, own(token, claim));
    fixed.add(claim);
  }
  // the declared layout writes sub anew: it must give back the filled one
  const minted = mint(issuer, { ...token, sub: undefined }, fixed);
  return minted?.sub === sub ? minted : undefined;
}
