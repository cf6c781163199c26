import { claimSpec } from "../claims/issuer";
import type { IssuerModel } from "../claims/issuer";
import { segments } from "../claims/layouts";
import type { Fact } from "../claims/layouts";
import { quote } from "../errors";
import type { IdentityIR } from "../ir/types";
import type { Decision } from "./verdict";
import type { TokenClaims } from "./token-claims";
import { claimString, intentAccepts } from "./token-claims";

/** GitHub's two layouts of the `repo` part of `sub`. */
type SubjectFormat = "legacy" | "immutable";

const FORMS: Readonly<Record<SubjectFormat, string>> = {
  legacy: "repo:OWNER/REPO:...",
  immutable: "repo:OWNER@OWNER_ID/REPO@REPO_ID:...",
};

/**
 * What the token's `sub` says that the decisions alone do not: that it is in the other GitHub
 * format than an issuer declares (for the identities whose subjects admit the token and that a
 * cloud refused), and that it contradicts the token's other claims, so the token cannot come from
 * the issuer (hand-written tokens often do). Only issuers whose URL is the token's `iss` are
 * asked. Never throws: any `sub` (not a string, huge, `__proto__`) gives notes or none.
 */
export function tokenNotes(
  identities: readonly IdentityIR[],
  claims: TokenClaims,
  decisions: readonly Decision[],
): string[] {
  const sub = claimString(claims, "sub");
  if (sub === undefined) return [];
  const iss = claimString(claims, "iss");
  const ours = identities.filter((i) => i.issuer.url === iss);
  const notes = [
    ...formatNotes(ours, sub, claims, decisions),
    ...ours.flatMap((i) => contradictions(i.issuer, sub, claims)),
  ];
  // identities sharing an issuer, or issuers sharing a URL, find the same contradictions
  return [...new Set(notes)];
}

/** One note per issuer whose declared format is not the token's, naming the identities it costs. */
function formatNotes(
  identities: readonly IdentityIR[],
  sub: string,
  claims: TokenClaims,
  decisions: readonly Decision[],
): string[] {
  const found = new Map<
    string,
    { declared: SubjectFormat; written: SubjectFormat; names: string[] }
  >();
  for (const identity of identities) {
    const declared = declaredFormat(identity.issuer);
    const written = writtenFormat(identity.issuer, sub);
    if (!declared || !written || declared === written) continue;
    // only where the format is what refused a token the identity is meant for
    if (!intentAccepts(identity, claims)) continue;
    if (!decisions.some((d) => d.identity === identity.name && !d.allowed)) continue;
    const entry = found.get(identity.issuerName) ?? { declared, written, names: [] };
    entry.names.push(identity.name);
    found.set(identity.issuerName, entry);
  }
  return [...found].map(([issuer, { declared, written, names }]) => {
    const fix =
      written === "immutable"
        ? `set subjectFormat: immutable on issuer ${quote(issuer)}`
        : `set subjectFormat: legacy on issuer ${quote(issuer)}, or opt the repository into immutable subjects`;
    return `the token's sub has GitHub's ${written} format (${FORMS[written]}) and issuer ${quote(issuer)} (${names.length > 1 ? "identities" : "identity"} ${names.join(", ")}) has subjectFormat ${declared === "legacy" ? "legacy, the default" : declared}: AWS and Azure match sub and refuse the token, GCP checks the claims and may allow it; ${fix}`;
  });
}

/** The format a GitHub issuer declares: its `sub` template writes `repo:`, and '@' if immutable. */
function declaredFormat(issuer: IssuerModel): SubjectFormat | undefined {
  const parts = issuer.subject?.cases[0]?.parts ?? [];
  if (issuer.kind !== "github" || !parts.includes("repo:")) return undefined;
  return parts.includes("@") ? "immutable" : "legacy";
}

/** The format of the token's `repo` part, read as any layout writes it. */
function writtenFormat(issuer: IssuerModel, sub: string): SubjectFormat | undefined {
  if (issuer.kind !== "github" || !issuer.layouts) return undefined;
  const repo = segments(issuer.layouts, sub, true)?.find((s) => s.key === "repo")?.value?.value;
  if (repo === undefined) return undefined;
  if (/^[^/@]+\/[^/@]+$/.test(repo)) return "legacy";
  return /^[^/@]+@\d+\/[^/@]+@\d+$/.test(repo) ? "immutable" : undefined;
}

/** Every claim whose whole value the sub shows and the token's claim of that name denies. */
function contradictions(issuer: IssuerModel, sub: string, claims: TokenClaims): string[] {
  const layouts = issuer.layouts;
  if (!layouts) return [];
  return (segments(layouts, sub, true) ?? []).flatMap(({ key, value }) => {
    if (!value) return [];
    const facts = layouts.facts(key, value);
    // a key that names no principal claim shows its own claim's value
    const shown = facts.length ? facts : [[key, value] as const];
    return shown.flatMap(([claim, fact]) => contradiction(issuer, claim, fact, claims) ?? []);
  });
}

function contradiction(
  issuer: IssuerModel,
  claim: string,
  fact: Fact,
  claims: TokenClaims,
): string | undefined {
  const value = claimString(claims, claim);
  if (!fact.whole || value === undefined) return undefined;
  // the issuer writes ':' inside some values as '%3A' in sub
  const written = claimSpec(issuer, claim).colonEncoded ? value.replaceAll(":", "%3A") : value;
  if (written === fact.value) return undefined;
  return `this token cannot come from ${issuer.label}: its sub says ${claim} ${quote(fact.value)} while its ${claim} claim is ${quote(value)}`;
}
