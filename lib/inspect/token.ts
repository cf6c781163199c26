import { readFileSync } from "node:fs";
import { formatPath } from "../errors";
import { readError } from "../intent/file";
import { plainData } from "../intent/plain";
import type { TokenClaims } from "./claims";

// jose is an ES module: its types come in as such, and the module itself is loaded with
// import() when a signature is checked, which is also the only time it is needed
import type * as JoseModule from "jose" with { "resolution-mode": "import" };

type Jose = typeof JoseModule;

/** A token read from text: its claims, and how far they can be trusted. */
export type ReadToken =
  | { readonly claims: TokenClaims; readonly form: "claims" | "jwt" }
  | { readonly problem: string }
  /** The key set could not be read or used, so the token was never checked. */
  | { readonly unusableKeys: string };

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Reads a token given as a JSON object of claims or as a compact JWT, whose payload is decoded
 * without checking its signature (see `verifyJwt`). Never throws.
 */
export function readToken(text: string): ReadToken {
  const trimmed = text.trim();
  if (JWT.test(trimmed)) {
    const payload = decodePayload(trimmed.split(".")[1]!);
    if (!payload) return { problem: "the JWT's payload is not a JSON object" };
    return tokenOf(payload, "jwt");
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
  return tokenOf(value, "claims");
}

/**
 * The claims as plain JSON data, or why they cannot be: a string no parser can carry (an
 * unpaired surrogate), a value of no JSON type, a key named `__proto__`.
 */
export function tokenOf(value: object, form: "claims" | "jwt"): ReadToken {
  const plain = plainData(value, "token");
  const [first] = plain.issues;
  if (first)
    return {
      problem: `the token's ${first.path.length ? `claim ${formatPath(first.path)}` : "claims"}: ${first.message}`,
    };
  return { claims: plain.data as TokenClaims, form };
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
    let url: URL;
    try {
      url = new URL(jwks);
    } catch {
      return { unusableKeys: "it is not a valid URL" };
    }
    keys = jose.createRemoteJWKSet(url, { timeoutDuration: 5000 });
  } else {
    try {
      const set = JSON.parse(readFileSync(jwks, "utf8")) as Parameters<
        Jose["createLocalJWKSet"]
      >[0];
      keys = jose.createLocalJWKSet(set);
    } catch (e) {
      return { unusableKeys: readError(e) };
    }
  }
  try {
    const { payload } = await jose.jwtVerify(jwt.trim(), keys, {
      issuer: [...issuers],
      requiredClaims: ["exp", "iss"],
    });
    return tokenOf(payload, "jwt");
  } catch (e) {
    return refusal(jose.errors, e, issuers);
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

/** Why jose refused: the token's fault, or the key set's (which then checked nothing). */
function refusal(errors: Jose["errors"], e: unknown, issuers: readonly string[]): ReadToken {
  if (e instanceof errors.JWTExpired) {
    return { problem: `it expired at ${time(e.payload.exp)}` };
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "iss") {
      return {
        problem: `its issuer ${JSON.stringify(e.payload.iss)} is none of the document's issuers (${issuers.join(", ")})`,
      };
    }
    if (e.claim === "nbf") return { problem: `it is not valid before ${time(e.payload.nbf)}` };
    return { problem: `its ${e.claim} claim is missing or not valid` };
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return { problem: "its signature does not verify against the JWKS" };
  }
  if (e instanceof errors.JWKSNoMatchingKey) {
    return { problem: "no key in the JWKS matches its key ID and algorithm" };
  }
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) {
    return {
      problem:
        "it is not signed with an algorithm the JWKS's keys support (an unsigned token has alg none)",
    };
  }
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) {
    return { problem: `it is not a well-formed signed JWT: ${e.message}` };
  }
  if (e instanceof errors.JWKSInvalid) return { unusableKeys: "it is not a JSON Web Key Set" };
  if (e instanceof errors.JWKSTimeout)
    return { unusableKeys: "it did not answer within 5 seconds" };
  // fetch failures, non-200 answers and anything else are the key set's, not the token's
  return { unusableKeys: (e as Error).message };
}

function time(seconds: unknown): string {
  return new Date(Number(seconds) * 1000).toISOString();
}
