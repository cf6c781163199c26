import { readFileSync } from "node:fs";
import { compileDocument } from "../compile";
import { explain } from "../inspect/explain";
import { readToken, verifyJwt } from "../inspect/token";
import type { ReadToken } from "../inspect/token";
import { verify } from "../inspect/verify";
import { formatDecisions, formatVerification } from "./format";
import type { Streams } from "./streams";

/** `trustplane explain`: every identity × grant's decision on one token. The document compiles. */
export async function explainCommand(
  document: unknown,
  tokenPath: string,
  jwks: string | undefined,
  { out, err, json }: Streams,
): Promise<number> {
  let text: string;
  try {
    text = tokenPath === "-" ? readFileSync(0, "utf8") : readFileSync(tokenPath, "utf8");
  } catch (e) {
    err(
      `trustplane: cannot read the token ${tokenPath}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
    );
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
    token = await verifyJwt(text, jwks, issuerUrls(document));
    if ("unusableKeys" in token) {
      err(`trustplane: cannot read the JWKS ${jwks}: ${token.unusableKeys}`);
      return 2;
    }
    if ("problem" in token) {
      err(`trustplane: the token is refused: ${token.problem}`);
      return 1;
    }
  }
  const { explanation } = explain(document, token.claims);
  const notes = [
    ...(explanation!.audienceAssumed
      ? ["the token has no aud, so each grant was checked with the audience it expects"]
      : []),
    ...(token.form === "jwt" && jwks === undefined
      ? ["the JWT's signature, expiry and issuer were not checked; give --jwks to check them"]
      : []),
  ];
  if (json) out(JSON.stringify({ decisions: explanation!.decisions, notes }, null, 2));
  else out(formatDecisions(explanation!.decisions, notes));
  return 0;
}

/** The URLs of the issuers the document's identities trust: a verified token comes from one. */
function issuerUrls(document: unknown): string[] {
  const { ir } = compileDocument(document);
  return [...new Set((ir?.identities ?? []).map((i) => i.issuer.url))];
}

/** `trustplane verify`: the differential check of every cloud against the intent. */
export function verifyCommand(document: unknown, { out, json }: Streams): number {
  const { verification } = verify(document);
  const v = verification!;
  if (json) out(JSON.stringify(v, null, 2));
  else out(formatVerification(v));
  return v.ok ? 0 : 1;
}
