import { readFileSync } from "node:fs";
import type { TokenClaims } from "./claims";

// jose is an ES module: its types come in as such, and the module itself is loaded with
// import() when a signature is checked, which is also the only time it is needed
import type * as JoseModule from "jose" with { "resolution-mode": "import" };

type Jose = typeof JoseModule;

/** A token read from text: its claims, and how far they can be trusted. */
export type ReadToken =
  { readonly claims: TokenClaims; readonly form: "claims" | "jwt" } | { readonly problem: string };

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Reads a token given as a JSON object of claims or as a compact JWT, whose payload is decoded
 * without checking its signature (see `verifyJwt`). Never throws.
 */
export function readToken(text: string): ReadToken {
  const trimmed = text.trim();
  if (JWT.test(trimmed)) {
    const payload = decodePayload(trimmed.split(".")[1]!);
    return payload
      ? { claims: payload, form: "jwt" }
      : { problem: "the JWT's payload is not a JSON object" };
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return {
      problem: "the token is neither a JWT (header.payload.signature) nor a JSON object of claims",
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { problem: "a token given as JSON must be an object of claims" };
  }
  return { claims: value as TokenClaims, form: "claims" };
}

/**
 * Checks a JWT's signature against a JWKS (an http(s) URL or a file), its `exp` and `nbf`, and that
 * its issuer is one of `issuers`. Resolves to the verified claims or to why it was refused.
 */
export async function verifyJwt(
  jwt: string,
  jwks: string,
  issuers: readonly string[],
): Promise<ReadToken> {
  const jose: Jose = await import("jose");
  let keys: Parameters<Jose["jwtVerify"]>[1];
  if (/^https?:\/\//.test(jwks)) {
    keys = jose.createRemoteJWKSet(new URL(jwks), { timeoutDuration: 5000 });
  } else {
    try {
      const set = JSON.parse(readFileSync(jwks, "utf8")) as Parameters<
        Jose["createLocalJWKSet"]
      >[0];
      keys = jose.createLocalJWKSet(set);
    } catch (e) {
      return { problem: `cannot read the JWKS ${jwks}: ${(e as Error).message}` };
    }
  }
  try {
    const { payload } = await jose.jwtVerify(jwt.trim(), keys, { issuer: [...issuers] });
    return { claims: payload, form: "jwt" };
  } catch (e) {
    return { problem: refusal(jose.errors, e, issuers) };
  }
}

function decodePayload(part: string): TokenClaims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as TokenClaims)
      : undefined;
  } catch {
    return undefined;
  }
}

function refusal(errors: Jose["errors"], e: unknown, issuers: readonly string[]): string {
  if (e instanceof errors.JWTExpired) {
    return `the token expired at ${new Date(Number(e.payload.exp) * 1000).toISOString()}`;
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return "the token's signature does not verify against the JWKS";
  }
  if (e instanceof errors.JWKSNoMatchingKey) {
    return "no key in the JWKS matches the token's key ID and algorithm";
  }
  if (e instanceof errors.JWTClaimValidationFailed && e.claim === "iss") {
    return `the token's issuer ${JSON.stringify(e.payload.iss)} is none of the document's issuers (${issuers.join(", ")})`;
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    return `the token's ${e.claim} claim is not valid: ${e.message}`;
  }
  if (e instanceof errors.JOSEError) return `the token was refused: ${e.message}`;
  return `the JWKS could not be used: ${(e as Error).message}`;
}
