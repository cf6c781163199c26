import type { IssuerModel, MutableClaims } from "../claims/issuer";
import { claimSpec } from "../claims/issuer";
import type { Guard } from "../claims/matcher";
import { guardHolds } from "../claims/matcher";
import { renderSubject } from "../claims/subject";
import { bare, own } from "../internal/own";

/** Tokens as an issuer would mint them, for `verify`'s corpus. */

/** Whether the issuer could put this value in this claim: no character it never writes there. */
export function possible(issuer: IssuerModel, claim: string, value: string): boolean {
  const spec = claimSpec(issuer, claim);
  if (spec.alphabet && !spec.alphabet.test(value)) return false;
  const never = spec.colonEncoded ? spec.excludes.replace(":", "") : spec.excludes;
  return !Array.from(never).some((ch) => value.includes(ch));
}

/** A value (or absence) that satisfies a guard, keeping the current one when it does. */
export function satisfying(
  issuer: IssuerModel,
  claim: string,
  guard: Guard,
  current: string | undefined,
): string | undefined {
  if (guardHolds(guard, current)) return current;
  switch (guard.kind) {
    case "absent":
      return undefined;
    case "present":
      return own(issuer.sample, claim) ?? "production";
    case "in":
      return guard.values[0];
    case "notIn":
      return [own(issuer.sample, claim), "push", "other"].find(
        (v) => v !== undefined && !guard.values.includes(v),
      );
    case "pattern":
      return guard.pattern.replaceAll("*", "1").replaceAll("?", "1");
  }
}

/** A token as the issuer would mint it: invariants restored, iss and sub filled in; undefined if impossible. */
export function mint(
  issuer: IssuerModel,
  claims: MutableClaims,
  fixed: ReadonlySet<string>,
): MutableClaims | undefined {
  const token = bare(claims);
  token.iss ??= issuer.url;
  if (issuer.restoreInvariants && !issuer.restoreInvariants(token, fixed)) return undefined;
  if (issuer.subject && !fixed.has("sub")) {
    const sub = renderSubject(issuer.subject, token, (c) => claimSpec(issuer, c));
    if (sub === undefined) return undefined;
    token.sub = sub;
  }
  return token.sub === undefined ? undefined : token;
}
