import { formatPath } from "../errors";
import { readError, readLimited } from "../intent/file";
import { plainData } from "../intent/plain";
import type { TokenClaims } from "./token-claims";

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
  const set = /^https?:\/\//.test(jwks) ? await fetchKeySet(jwks) : readKeySet(jwks);
  if ("unusableKeys" in set) return set;
  let keys: Parameters<Jose["jwtVerify"]>[1];
  try {
    keys = jose.createLocalJWKSet(set.keys as Parameters<Jose["createLocalJWKSet"]>[0]);
  } catch {
    return { unusableKeys: "it is not a JSON Web Key Set" };
  }
  try {
    const { payload } = await jose.jwtVerify(jwt.trim(), keys, {
      issuer: [...issuers],
      requiredClaims: ["exp", "iss"],
    });
    return tokenOf(payload, "jwt");
  } catch (e) {
    return refusal(jose, e, jwt, issuers);
  }
}

/** Tokens and key sets are a few kilobytes; anything over this is refused, not read on. */
export const MAX_TOKEN_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 5000;

function readKeySet(file: string): { keys: unknown } | { unusableKeys: string } {
  try {
    return { keys: JSON.parse(readLimited(file, MAX_TOKEN_BYTES, "key sets").toString("utf8")) };
  } catch (e) {
    return { unusableKeys: readError(e) };
  }
}

/**
 * Fetches a key set: one GET, no redirects followed, at most MAX_TOKEN_BYTES of (decompressed)
 * body and FETCH_TIMEOUT_MS in all; every failure said in words, naming the URL's host.
 */
async function fetchKeySet(jwks: string): Promise<{ keys: unknown } | { unusableKeys: string }> {
  let url: URL;
  try {
    url = new URL(jwks);
  } catch {
    return { unusableKeys: "it is not a valid URL" };
  }
  try {
    const response = await fetch(url, {
      redirect: "manual",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (response.status >= 300 && response.status < 400) {
      const to = response.headers.get("location");
      return {
        unusableKeys: `it redirects${to ? ` to ${to}` : ""} (HTTP ${response.status}); give the key set's own URL`,
      };
    }
    if (!response.ok)
      return {
        unusableKeys: `${url.host} answered HTTP ${response.status} ${response.statusText}`.trim(),
      };
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body ?? []) {
      total += (chunk as Uint8Array).length;
      if (total > MAX_TOKEN_BYTES) {
        return {
          unusableKeys: `its answer is over ${MAX_TOKEN_BYTES} bytes; key sets are a few kilobytes`,
        };
      }
      chunks.push(chunk as Uint8Array);
    }
    try {
      return { keys: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
    } catch {
      return { unusableKeys: "its answer is not JSON" };
    }
  } catch (e) {
    return { unusableKeys: fetchFailure(e, url) };
  }
}

/** Why a fetch failed, in words: the cause Node hides under "fetch failed". */
function fetchFailure(e: unknown, url: URL): string {
  const error = e as { name?: string; cause?: { code?: string } };
  if (error.name === "TimeoutError" || error.name === "AbortError")
    return `it did not answer within ${FETCH_TIMEOUT_MS / 1000} seconds`;
  const code = error.cause?.code;
  if (code === "ECONNREFUSED") return `${url.host} refused the connection; is the URL right?`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `no host ${url.hostname} is known (DNS)`;
  if (code === "ECONNRESET") return `${url.host} closed the connection`;
  if (code?.startsWith("ERR_TLS") || code?.includes("CERT"))
    return `the TLS connection to ${url.host} failed (${code})`;
  return `fetching it failed${code ? ` (${code})` : ""}`;
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
function refusal(jose: Jose, e: unknown, jwt: string, issuers: readonly string[]): ReadToken {
  const { errors } = jose;
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
    const alg = algorithmOf(jose, jwt);
    return {
      problem:
        alg === undefined || alg === "none"
          ? "it is not signed (alg none)"
          : `it is signed with ${JSON.stringify(alg)}, which no key of the JWKS is for`,
    };
  }
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) {
    return { problem: `it is not a well-formed signed JWT: ${e.message}` };
  }
  if (e instanceof errors.JWKSInvalid) return { unusableKeys: "it is not a JSON Web Key Set" };
  // anything else is the key set's, not the token's
  return { unusableKeys: e instanceof Error ? e.message : String(e) };
}

/** The `alg` of the token's header, when it has one. */
function algorithmOf(jose: Jose, jwt: string): unknown {
  try {
    return jose.decodeProtectedHeader(jwt.trim()).alg;
  } catch {
    return undefined;
  }
}

function time(seconds: unknown): string {
  return new Date(Number(seconds) * 1000).toISOString();
}
