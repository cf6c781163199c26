import type { FederatedCredential } from "./credentials";
import { quote } from "../../errors";
import type { TokenClaims } from "../../inspect/token-claims";
import { claimString, describeAudiences, describeClaim } from "../../inspect/token-claims";
import type { Verdict } from "../../inspect/verdict";
import { allow, deny } from "../../inspect/verdict";

/**
 * Entra admits a token when one federated credential's issuer, subject and audience equal the
 * token's `iss`, `sub` and an `aud` exactly and case-sensitively.
 *
 * @see https://learn.microsoft.com/entra/workload-id/workload-identity-federation
 */
export function evaluateCredentials(
  credentials: readonly FederatedCredential[],
  claims: TokenClaims,
  audiences: readonly string[],
): Verdict {
  const iss = claimString(claims, "iss");
  const sub = claimString(claims, "sub");
  const exact = credentials.find(
    (c) => c.issuer === iss && c.subject === sub && audiences.includes(c.audience),
  );
  if (exact)
    return allow(`federated credential ${exact.name} matches issuer, subject and audience exactly`);
  if (sub === undefined)
    return deny(
      `the token has ${describeClaim(claims, "sub")}, and every federated credential matches a sub string`,
    );
  const byIssuer = credentials.filter((c) => c.issuer === iss);
  if (byIssuer.length === 0)
    return deny(`no federated credential has issuer ${describeClaim(claims, "iss")}`);
  const bySubject = byIssuer.filter((c) => c.subject === sub);
  if (bySubject.length === 0) {
    const folded = byIssuer.find((c) => c.subject.toLowerCase() === sub.toLowerCase());
    const hint = folded
      ? `; ${quote(folded.subject)} differs only in case, and Entra compares case-sensitively`
      : "";
    return deny(`no federated credential has subject ${quote(sub)}${hint}`);
  }
  return deny(
    `federated credential ${bySubject[0]!.name} has subject ${quote(sub)} but audience ${quote(bySubject[0]!.audience)}, and the token's aud is ${describeAudiences(audiences)}`,
  );
}
