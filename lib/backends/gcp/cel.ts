import { globToRegex, hasWildcards } from "../../claims/glob";
import type { Matcher } from "../../claims/matcher";

/** A CEL string literal in single quotes; everything outside printable ASCII is escaped. */
export function celString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return `${out}'`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** CEL's reserved words cannot follow a dot. */
const RESERVED = new Set(
  "true false null in as break const continue else for function if import let loop package namespace return var void while".split(
    " ",
  ),
);
const selectable = (claim: string) => IDENTIFIER.test(claim) && !RESERVED.has(claim);

/** `assertion.repository`, or `assertion['oidc.circleci.com/project-id']` for other names. */
export function claimRef(claim: string): string {
  return selectable(claim) ? `assertion.${claim}` : `assertion[${celString(claim)}]`;
}

/** True when the token carries the claim; CEL's `has()` only takes identifier names. */
export function hasClaim(claim: string): string {
  return selectable(claim) ? `has(assertion.${claim})` : `(${celString(claim)} in assertion)`;
}

/**
 * The test of one claim. Every test checks presence first, so a condition never fails to
 * evaluate on a token that lacks a claim; it is false instead.
 */
export function matcherCel(claim: string, m: Matcher): string {
  const ref = claimRef(claim);
  switch (m.kind) {
    case "absent":
      return `!${hasClaim(claim)}`;
    case "exact":
      return `${hasClaim(claim)} && ${ref} == ${celString(m.value)}`;
    case "oneOf":
      return `${hasClaim(claim)} && ${ref} in [${m.values.map(celString).join(", ")}]`;
    case "pattern":
      return `${hasClaim(claim)} && ${globCel(ref, m.pattern)}`;
  }
}

/** A glob as CEL: string functions where they say it plainly, an RE2 `matches` otherwise. */
function globCel(ref: string, pattern: string): string {
  const inner = pattern.slice(1, -1);
  if (pattern === "*") return `type(${ref}) == string`;
  if (pattern.endsWith("*") && !hasWildcards(pattern.slice(0, -1))) {
    return `${ref}.startsWith(${celString(pattern.slice(0, -1))})`;
  }
  if (pattern.startsWith("*") && !hasWildcards(pattern.slice(1))) {
    return `${ref}.endsWith(${celString(pattern.slice(1))})`;
  }
  if (pattern.startsWith("*") && pattern.endsWith("*") && !hasWildcards(inner)) {
    return `${ref}.contains(${celString(inner)})`;
  }
  return `${ref}.matches(${celString(globToRegex(pattern))})`;
}

/** OR of the selectors' conjunctions, each claim test in claim-name order. */
export function conditionCel(selectors: readonly ReadonlyMap<string, Matcher>[]): string {
  // sorted, so the order of selectors in the document never changes the provider
  const terms = [
    ...new Set(
      selectors.map((claims) => [...claims].map(([c, m]) => matcherCel(c, m)).join(" && ")),
    ),
  ].sort();
  return terms.length === 1 ? terms[0]! : terms.map((t) => `(${t})`).join(" || ");
}
