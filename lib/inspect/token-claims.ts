import { matches } from "../claims/matcher";
import { quote } from "../errors";
import { own } from "../internal/own";
import type { IdentityIR, SelectorIR } from "../ir/types";

/** A token's payload: JSON, so claim values are not always strings. */
export type TokenClaims = Readonly<Record<string, unknown>>;

/** A claim the token carries whose value is not a string (a number, boolean, null, list, object). */
export const NOT_STRING = Symbol("not a string");

/** A claim as a selector reads it: its string, NOT_STRING, or undefined when the token lacks it. */
export type ClaimValue = string | typeof NOT_STRING | undefined;

/**
 * Reads a claim. Selectors compare strings, so a value of another JSON type is present (it is not
 * `absent`) but equals no value and matches no pattern. Only own properties count: a claim named
 * `constructor` is the token's, never the prototype's.
 */
export function claimValue(claims: TokenClaims, name: string): ClaimValue {
  const value = own(claims, name);
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : NOT_STRING;
}

/** The claim when it is a string; undefined when it is missing or of another type. */
export function claimString(claims: TokenClaims, name: string): string | undefined {
  const value = own(claims, name);
  return typeof value === "string" ? value : undefined;
}

/** A claim's value for a reason: a string quoted, anything else by its type and JSON. */
export function describeClaim(claims: TokenClaims, name: string): string {
  const value = own(claims, name);
  if (value === undefined) return `no ${name}`;
  if (typeof value === "string") return quote(value);
  if (value === null) return "null, not a string";
  const json = JSON.stringify(value) ?? typeof value;
  const type = Array.isArray(value) ? "a list" : `a ${typeof value}`;
  return `${type} (${json.length > 60 ? `${json.slice(0, 50)}…` : json}), not a string`;
}

/**
 * The token's audiences: `aud` is a string or a list of strings in a JWT. Undefined only when
 * there is no `aud`; any other value holds no audience at all.
 */
export function audiencesOf(claims: TokenClaims): readonly string[] | undefined {
  const aud = own(claims, "aud");
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
  for (const [name, m] of selector.claims) {
    const value = claimValue(claims, name);
    if (value === NOT_STRING || !matches(m, value)) return false;
  }
  return true;
}

/**
 * The intent's own meaning, the oracle `verify` holds every cloud to: the token comes from the
 * identity's issuer, has a sub (every cloud's exchange needs one: Azure matches it, GCP maps it,
 * STS names the session after it), and matches one of its selectors. (The audience is each
 * grant's business.)
 */
export function intentAccepts(identity: IdentityIR, claims: TokenClaims): boolean {
  return (
    claimString(claims, "iss") === identity.issuer.url &&
    claimString(claims, "sub") !== undefined &&
    identity.selectors.some((s) => selectorAccepts(s, claims))
  );
}
