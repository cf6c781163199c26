import { count } from "../errors";
import { readError, readLimited } from "../intent/file";
import { explainPlan } from "../inspect/explain";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import { MAX_TOKEN_BYTES, readToken, verifyJwt } from "../inspect/token";
import type { ReadToken } from "../inspect/token";
import { verifyPlan } from "../inspect/verify";
import { formatDecisions, formatVerification } from "./format";
import type { Streams } from "./streams";

/** What `explain` checks besides the decisions: the JWT's signature, the expected answer. */
export interface ExplainOptions {
  /** The JWKS URL or file to check the JWT with. */
  readonly jwks?: string;
  /** `allow`: some grant must allow the token; `deny`: none may. Otherwise exit 1. */
  readonly expect?: "allow" | "deny";
}

/**
 * `trustplane explain`: every identity × grant's decision on one token (the identities of
 * `plan`, which may be narrowed), then the notes. The document compiles. Exit 1 when `--jwks`
 * refuses the token or the decisions are not what `expect` says, with one line on stderr.
 */
export async function explainCommand(
  ir: DocumentIR,
  plan: Plan,
  tokenPath: string,
  { jwks, expect }: ExplainOptions,
  { out, err, json }: Streams,
): Promise<number> {
  let text: string;
  try {
    text = readLimited(tokenPath, MAX_TOKEN_BYTES, "tokens").toString("utf8");
  } catch (e) {
    err(`trustplane: cannot read the token ${tokenPath}: ${readError(e)}`);
    return 2;
  }
  let token: ReadToken = readToken(text);
  if (!("claims" in token)) {
    err(`trustplane: ${"problem" in token ? token.problem : token.unusableKeys}`);
    return 2;
  }
  if (jwks !== undefined) {
    if (token.form !== "jwt") {
      err("trustplane: --jwks checks a JWT's signature, and the token is a JSON object of claims");
      return 2;
    }
    const issuers = [...new Set(ir.identities.map((i) => i.issuer.url))];
    token = await verifyJwt(text, jwks, issuers);
    if ("unusableKeys" in token) {
      err(`trustplane: cannot read the JWKS ${jwks}: ${token.unusableKeys}`);
      return 2;
    }
    if ("problem" in token) {
      err(`trustplane: the token is refused: ${token.problem}`);
      return 1;
    }
  }
  const explanation = explainPlan(ir, plan, token.claims);
  const notes = [
    ...explanation.notes,
    ...(explanation.audienceAssumed
      ? ["the token has no aud, so each grant was checked with the audience it expects"]
      : []),
    ...(token.form === "jwt" && jwks === undefined
      ? ["the JWT's signature, expiry and issuer were not checked; give --jwks to check them"]
      : []),
  ];
  if (json) out(JSON.stringify({ decisions: explanation.decisions, notes }, null, 2));
  else out(formatDecisions(explanation.decisions, notes));
  const allowing = explanation.decisions.filter((d) => d.allowed);
  if (expect === "allow" && allowing.length === 0) {
    const decided = count(explanation.decisions.length, "grant");
    err(`trustplane: expected allow, but no grant allows the token (${decided} decided)`);
    return 1;
  }
  if (expect === "deny" && allowing.length > 0) {
    const grants = allowing.map((d) => `${d.identity} → ${d.target}`).join(", ");
    err(`trustplane: expected deny, but the token is allowed by ${grants}`);
    return 1;
  }
  return 0;
}

/** `trustplane verify`: the differential check of every cloud against the intent. */
export function verifyCommand(ir: DocumentIR, plan: Plan, { out, json }: Streams): number {
  const v = verifyPlan(ir, plan);
  if (json) out(JSON.stringify(v, null, 2));
  else out(formatVerification(v));
  return v.ok ? 0 : 1;
}
