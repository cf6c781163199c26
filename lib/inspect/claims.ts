import { matches } from "../claims/matcher";
import type { IdentityIR, SelectorIR } from "../ir/types";

/** A token's payload: JSON, so claim values are not always strings. */
export type TokenClaims = Readonly<Record<string, unknown>>;

/**
 * A claim as a selector reads it. Selectors hold strings only, so any other JSON value (a number,
 * a list) becomes text that no selector value can equal: control characters never appear in one.
 */
export function claimText(claims: TokenClaims, name: string): string | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : `\u0000${JSON.stringify(value)}`;
}

/**
 * The token's audiences: `aud` is a string or a list of strings in a JWT. Undefined only when
 * there is no `aud`; any other value holds no audience at all.
 */
export function audiencesOf(claims: TokenClaims): readonly string[] | undefined {
  const aud = claims.aud;
  if (aud === undefined) return undefined;
  if (typeof aud === "string") return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === "string");
  return [];
}

/** Audiences for a reason: quoted, or "none" for an aud that holds no string. */
export function describeAudiences(audiences: readonly string[]): string {
  return audiences.length ? audiences.map((a) => JSON.stringify(a)).join(", ") : "(no audience)";
}

export function selectorAccepts(selector: SelectorIR, claims: TokenClaims): boolean {
  for (const [name, m] of selector.claims) if (!matches(m, claimText(claims, name))) return false;
  return true;
}

/**
 * The intent's own meaning, the oracle `verify` holds every cloud to: the token comes from the
 * identity's issuer and matches one of its selectors. (The audience is each grant's business.)
 */
export function intentAccepts(identity: IdentityIR, claims: TokenClaims): boolean {
  return (
    claims.iss === identity.issuer.url && identity.selectors.some((s) => selectorAccepts(s, claims))
  );
}
