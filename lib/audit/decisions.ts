import { backendOf } from "../backends";
import type { Cloud } from "../backends/cloud";
import type { GrantPlanOf } from "../backends/cloud-types";
import { judgedTokens } from "../inspect/corpus";
import type { TokenClaims } from "../inspect/token-claims";
import { audiencesOf, intentAccepts } from "../inspect/token-claims";
import { own } from "../internal/own";
import type { DocumentIR, IdentityIR } from "../ir/types";
import type { Finding } from "./finding";

/** Over- and under-grants reported per grant: the first tokens show the problem, not all. */
const MAX_TOKENS = 3;

/**
 * The over- and under-grants of one grant's deployed artefacts: `verify`'s corpus for the
 * identity, with attacker tokens shaped to both the compiled and the deployed `sub` values,
 * decided by the cloud's evaluator on the deployed artefacts and compared with the intent.
 */
export function decisionFindings<C extends Cloud>(
  identity: IdentityIR,
  ir: DocumentIR,
  grant: GrantPlanOf<C>,
  deployed: GrantPlanOf<C>,
  resource: string,
  what: string,
): Finding[] {
  const backend = backendOf(grant.cloud);
  const patterns = new Set([
    ...backend.subPatterns(grant.artefacts),
    ...backend.subPatterns(deployed.artefacts),
  ]);
  const over: TokenClaims[] = [];
  const under: TokenClaims[] = [];
  for (const claims of tokensFor(identity, ir, patterns)) {
    const audiences = audiencesOf(claims) ?? [grant.audience];
    const intent = intentAccepts(identity, claims) && audiences.includes(grant.audience);
    const allowed = backend.evaluate(identity, deployed, claims, audiences).allowed;
    if (allowed && !intent) over.push(claims);
    if (!allowed && intent) under.push(claims);
  }
  const at = { cloud: grant.cloud, identity: identity.name, target: grant.target, resource };
  const found = (kind: "over-grant" | "under-grant", tokens: TokenClaims[], how: string) =>
    tokens.slice(0, MAX_TOKENS).map((token, i) => ({
      ...at,
      kind,
      token,
      message: `${what} ${how} (sub ${JSON.stringify(own(token, "sub"))})${i === 0 && tokens.length > MAX_TOKENS ? `; ${tokens.length} such tokens in all` : ""}`,
    }));
  return [
    ...found("over-grant", over, "accepts a token the intent refuses"),
    ...found("under-grant", under, "refuses a token the intent accepts"),
  ];
}

/** The last tokens built per identity, with the sub patterns they were shaped to. */
const built = new WeakMap<IdentityIR, { patterns: ReadonlySet<string>; tokens: TokenClaims[] }>();

/**
 * The identity's judged tokens for `patterns`: built once per identity when the clouds' grants
 * ask for the same or fewer patterns (a faithful deployment's AWS and Azure subjects are the
 * compiled ones, GCP's none), since a corpus shaped to more patterns only holds more tokens.
 */
function tokensFor(
  identity: IdentityIR,
  ir: DocumentIR,
  patterns: ReadonlySet<string>,
): readonly TokenClaims[] {
  const cached = built.get(identity);
  if (cached && [...patterns].every((p) => cached.patterns.has(p))) return cached.tokens;
  const tokens = judgedTokens(identity, ir.identities, [...patterns]);
  built.set(identity, { patterns, tokens });
  return tokens;
}
