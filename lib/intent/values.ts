import { z } from "zod";

/** The values the intent document is made of: names, claims, matchers, URLs, audiences. */

const NAME_RULE = "use lowercase letters, digits and single dashes, starting with a letter";

/** Issuer, target and identity names: they become parts of resource names. */
export const Name = z
  .string()
  .max(48, "names are at most 48 characters")
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, NAME_RULE);

// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
export const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

/** A claim value in a selector. Real claims never hold control characters or megabytes. */
export const ClaimValue = z
  .string()
  .min(1, "claim values are never empty")
  .max(1000, "claim values are at most 1000 characters")
  .refine(noControl, "claim values never contain control characters such as newlines or tabs");

export const ClaimName = z
  .string()
  .min(1)
  .max(200, "claim names are at most 200 characters")
  .refine(noControl, "claim names never contain control characters");

/**
 * What a selector demands of one claim: a plain string is exact; `oneOf` lists exact values;
 * `pattern` is a glob (`*` any run of characters, `?` one character); `absent` requires the
 * claim to be missing from the token.
 */
export const Matcher = z
  .union(
    [
      ClaimValue.describe("The claim equals this value exactly (case-sensitive)."),
      z.strictObject({
        oneOf: z
          .array(ClaimValue)
          .min(1, "oneOf needs at least one value")
          .describe("The claim equals one of these values exactly."),
      }),
      z.strictObject({
        pattern: ClaimValue.meta({
          description:
            "A glob: `*` matches any run of characters (also none), `?` one character; no escapes.",
          examples: ["refs/tags/v*"],
        }),
      }),
      z.strictObject({
        absent: z.literal(true).describe("The token does not carry the claim."),
      }),
    ],
    { error: 'a matcher is a string, {oneOf: [...]}, {pattern: "..."} or {absent: true}' },
  )
  .describe(
    'What a selector demands of one claim: a string (exact), `{oneOf: [...]}`, `{pattern: "..."}` (glob) or `{absent: true}`.',
  );

/** Claim name → matcher; entries are AND'ed. A token matches when every entry holds. */
export const Selector = z
  .record(ClaimName, Matcher)
  .refine(
    (s) => Object.keys(s).length > 0,
    "a selector needs at least one claim: an empty one would accept every token of the issuer",
  )
  .meta({
    description:
      "Claim name → matcher, AND'ed: a token matches when every entry holds. Use the token's own claim names; the issuer's `sub` layout never changes what a selector means.",
    examples: [{ repository: "acme/api", environment: "production" }],
  });

export const HttpsUrl = z
  .string()
  .max(600, "issuer URLs are at most 600 characters")
  .refine(
    isIssuerUrl,
    "issuer URLs start with https:// and have a host, no port, query or fragment",
  );

function isIssuerUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (
      u.protocol === "https:" &&
      value.startsWith("https://") &&
      u.hostname !== "" &&
      u.port === "" &&
      u.search === "" &&
      u.hash === "" &&
      u.username === "" &&
      !/\s/.test(value)
    );
  } catch {
    return false;
  }
}

export const Audience = z
  .string()
  .min(1)
  .max(255, "audiences are at most 255 characters (the AWS and GCP limit)")
  .refine(noControl, "audiences never contain control characters");
