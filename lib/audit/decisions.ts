import { backendOf } from "../backends";
import type { Cloud } from "../backends/cloud";
import type { GrantPlanOf } from "../backends/cloud-types";
import { corpus } from "../inspect/corpus";
import { mint } from "../inspect/minting";
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
  // the issuer's ordinary token too: an intent no token meets still has deployed trust to judge
  const sample = mint(identity.issuer, { ...identity.issuer.sample }, new Set());
  const tokens = [...corpus(identity, ir.identities, [...patterns]).map((t) => t.claims)];
  if (sample) tokens.push(sample);
  for (const claims of tokens) {
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
