import type { Issue, Path } from "../../errors";
import { error, quote } from "../../errors";
import type { IssuerConfigOf } from "./preset";
import type { IssuerModel } from "../issuer";
import { vocabulary } from "../issuer";
import type { ClaimSpec, SubjectPart, SubjectTemplate } from "../template";

type OidcConfig = IssuerConfigOf<"oidc">;

/** Any other OIDC issuer: the document declares its claims and, optionally, how it builds sub. */
export function oidcIssuer(config: OidcConfig): IssuerModel {
  const subject = config.subjectTemplate ? parseSubjectTemplate(config.subjectTemplate) : undefined;
  return {
    kind: "oidc",
    label: config.url,
    url: config.url,
    shared: config.shared,
    // a value may hold any character, unless the document declares its alphabet
    claims: vocabulary(config.claims, claimSpecs(config.alphabets ?? {}, subject)),
    claimPrefixes: [],
    ...(subject ? { subject } : {}),
    ownerPins: config.ownerClaims.map((claim) => ({ claim })),
    mutableNames: [],
    refClaims: [],
    audiences: {},
    gcpAudienceHttps: true,
    // sub is any string when no template says how it is made
    sample: { sub: "subject", ...Object.fromEntries(config.claims.map((c) => [c, "value"])) },
    awsClaimKeys: new Set(config.awsClaimKeys ?? []),
  };
}

/**
 * The declared alphabets as claim specs: a value never holds a character of the template's
 * literal text that its alphabet leaves out. An alphabet that does not compile is reported by
 * `alphabetProblem` and taken as none here.
 */
function claimSpecs(
  alphabets: Readonly<Record<string, string>>,
  subject: SubjectTemplate | undefined,
): Record<string, ClaimSpec> {
  const literal = [
    ...new Set(
      (subject?.cases ?? []).flatMap((c) =>
        c.parts.flatMap((p) => (typeof p === "string" ? Array.from(p) : [])),
      ),
    ),
  ];
  const out: Record<string, ClaimSpec> = {};
  for (const [claim, characters] of Object.entries(alphabets)) {
    if (alphabetProblem(characters)) continue;
    const alphabet = new RegExp(`^[${characters}]*$`, "u");
    out[claim] = { excludes: literal.filter((ch) => !alphabet.test(ch)).join(""), alphabet };
  }
  return out;
}

/** Why a declared alphabet is not the inside of one character class; undefined when it is. */
export function alphabetProblem(characters: string): string | undefined {
  for (let i = 0; i < characters.length; i++) {
    if (characters[i] === "\\") i++;
    else if (characters[i] === "]")
      return "an unescaped ']' would close the class (write \\] for the character)";
  }
  try {
    new RegExp(`^[${characters}]*$`, "u");
  } catch {
    return "it is not the inside of a regular-expression character class";
  }
  return undefined;
}

/** `ns:{namespace}:sa:{name}` → parts; every non-alphanumeric literal character separates. */
export function parseSubjectTemplate(template: string): SubjectTemplate {
  const parts: SubjectPart[] = template
    .split(/(\{[^{}]+\})/)
    .filter((s) => s !== "")
    .map((s) => (s.startsWith("{") && s.endsWith("}") ? { claim: s.slice(1, -1) } : s));
  const literals = parts.filter((p): p is string => typeof p === "string").join("");
  const separators = [...new Set(literals.replace(/[\p{L}\p{N}]/gu, ""))].join("");
  return { separators, cases: [{ label: "a token", when: {}, parts }] };
}

/** The claim names a subject template uses. */
export function templateClaims(template: string): string[] {
  return [...template.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!);
}

/**
 * A subject template and alphabets name declared claims, alphabets compile, and a shared issuer
 * names the claims that pin the owner.
 */
export function oidcConfigIssues(config: OidcConfig, _model: IssuerModel, path: Path): Issue[] {
  const issues: Issue[] = [];
  for (const claim of templateClaims(config.subjectTemplate ?? "")) {
    if (!config.claims.includes(claim)) {
      issues.push(
        error(
          "unknown_claim",
          [...path, "subjectTemplate"],
          `the subject template uses {${claim}}, which is not in claims; add it to claims`,
        ),
      );
    }
  }
  for (const [claim, characters] of Object.entries(config.alphabets ?? {})) {
    const at = [...path, "alphabets", claim];
    const problem = alphabetProblem(characters);
    if (!config.claims.includes(claim)) {
      issues.push(
        error(
          "unknown_claim",
          at,
          `${quote(claim)} is not in claims; declare the alphabets of listed claims`,
        ),
      );
    } else if (problem) {
      issues.push(
        error(
          "invalid_value",
          at,
          `the alphabet ${quote(characters)} is not usable: ${problem}; write the characters as inside [...], e.g. "a-z0-9-"`,
        ),
      );
    }
  }
  if (config.shared && config.ownerClaims.length === 0) {
    issues.push(
      error(
        "missing_key",
        [...path, "ownerClaims"],
        "a shared issuer needs ownerClaims: the claims that name the organization a token belongs to",
      ),
    );
  }
  return issues;
}
