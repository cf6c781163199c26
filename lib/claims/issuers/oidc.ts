import type { IssuerConfig } from "../../intent/schema";
import type { IssuerModel } from "../issuer";
import { AWS_AUDIENCE, AZURE_AUDIENCE, vocabulary } from "../issuer";
import type { SubjectPart, SubjectTemplate } from "../subject";

type OidcConfig = Extract<IssuerConfig, { kind: "oidc" }>;

/** Any other OIDC issuer: the document declares its claims and, optionally, how it builds sub. */
export function oidcIssuer(config: OidcConfig): IssuerModel {
  return {
    kind: "oidc",
    label: config.url,
    url: config.url,
    shared: config.shared,
    // nothing is known of the values, so they may hold any character
    claims: vocabulary(config.claims),
    claimPrefixes: [],
    ...(config.subjectTemplate ? { subject: parseSubjectTemplate(config.subjectTemplate) } : {}),
    ownerPins: config.ownerClaims.map((claim) => ({ claim })),
    mutableNames: [],
    refClaims: [],
    audiences: { aws: AWS_AUDIENCE, azure: AZURE_AUDIENCE },
    gcpAudienceHttps: true,
    sample: Object.fromEntries(config.claims.map((c) => [c, "value"])),
    awsClaimKeys: new Set(config.awsClaimKeys ?? []),
  };
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
