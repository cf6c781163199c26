import type { IssuerConfig, TargetConfig } from "../intent/document";
import { own } from "../internal/own";
import type { SubjectLayouts } from "./layouts";
import type { ValueShapes } from "./shapes";
import type { ClaimSpec, SubjectTemplate } from "./template";

/** The kinds of issuer trustplane has a preset for (the schema's `kind`). */
export type IssuerKind = IssuerConfig["kind"];

/** A selector entry that pins the owner (organization, group, workspace) on a shared issuer. */
export interface OwnerPin {
  readonly claim: string;
  /** A pattern pins the owner when its literal prefix matches this; exact values always do. */
  readonly prefix?: RegExp;
}

/** Everything trustplane knows about one configured issuer. Pure data; built by a preset. */
export interface IssuerModel {
  readonly kind: IssuerKind;
  /** "GitHub Actions": names the issuer in messages. */
  readonly label: string;
  readonly url: string;
  /** Every customer of the SaaS shares this issuer, so selectors must pin the owner. */
  readonly shared: boolean;
  /** The claim vocabulary selectors may use (`sub` included). */
  readonly claims: ReadonlyMap<string, ClaimSpec>;
  /** Documented claims that are not strings, which no selector can compare: claim → what it holds. */
  readonly unselectable?: ReadonlyMap<string, string>;
  /** What the values of some claims always look like, to refuse values no token carries. */
  readonly shapes?: ValueShapes;
  /** Families of claims named by prefix (GitHub's `repo_property_*`). */
  readonly claimPrefixes: readonly string[];
  /** How `sub` is built; undefined when its layout is not known. */
  readonly subject?: SubjectTemplate;
  /**
   * How other principals of the issuer may lay out their own sub; undefined when every token
   * follows `subject` (the issuer fixes the layout).
   */
  readonly layouts?: SubjectLayouts;
  /** Claims the subject template uses that are not claims themselves. */
  readonly virtualClaims?: ReadonlyMap<string, ClaimSpec>;
  readonly ownerPins: readonly OwnerPin[];
  /** The default audiences name the owner (Pulumi Cloud's organization), which pins it as well. */
  readonly audiencePinsOwner?: boolean;
  /** Name claims that can be recycled, each with the ID claim that cannot. */
  readonly mutableNames: readonly { readonly name: string; readonly id: string }[];
  /** How to pin IDs where a cloud matches sub only, for the mutable_subject warning. */
  readonly mutableFix?: string;
  /**
   * Claims a selector that leaves out `sub` must pin, and why: GitHub's immutable subjects hold
   * the owner and repository IDs, which the selector must then check too.
   */
  readonly requiredPins?: { readonly claims: readonly string[]; readonly reason: string };
  /** Claims that narrow trust to a branch, tag or deployment environment. */
  readonly refClaims: readonly string[];
  /**
   * The `aud` this issuer's tokens carry per cloud where it is not the cloud's own default (each
   * backend's `grant` holds that; GCP's is the provider's own name).
   */
  readonly audiences: Readonly<Partial<Record<TargetConfig["cloud"], string>>>;
  /**
   * The issuer sets `aud` itself and a job cannot ask for another (Pulumi Cloud: the
   * organization), so its `audiences` are the only ones its tokens can carry.
   */
  readonly audienceFixed?: boolean;
  /** Whether the default GCP audience keeps the `https:` prefix on the provider name. */
  readonly gcpAudienceHttps: boolean;
  /** Claims AWS STS can match for this issuer besides `sub` and `aud`. */
  readonly awsClaimKeys: ReadonlySet<string>;
  /**
   * IAM refuses a role trusting this issuer unless its trust policy checks `sub` (AWS's
   * secure-by-default controls for shared issuers: GitHub, GitLab, HCP Terraform, Buildkite…).
   */
  readonly awsRequiresSub?: boolean;
  /**
   * Claims that name a run in few bytes, for google.subject when `sub` is too long
   * (`run:<id>:<phase>`); used only when present and short.
   */
  readonly shortSubject?: readonly string[];
  /** A realistic token's claims (without iss, aud and sub): the base of `verify`'s corpus. */
  readonly sample: Readonly<Record<string, string>>;
  /**
   * Restores the issuer's invariants (GitHub: the owner is the repository's, a pull request runs
   * on refs/pull/…) after claims changed, leaving `fixed` ones alone; false when those contradict.
   */
  readonly restoreInvariants?: (claims: MutableClaims, fixed: ReadonlySet<string>) => boolean;
  /**
   * Claims that hold the owner part of another claim's path (GitHub's repository_owner: what
   * precedes the first '/' of repository), for finding selectors no token can match.
   */
  readonly ownerPaths?: readonly OwnerPath[];
}

/** `claim` is the part of `path` before its first (or last) '/'. */
export interface OwnerPath {
  readonly claim: string;
  readonly path: string;
  readonly split: "first" | "last";
}

/** Claims being built for a sample token. */
export type MutableClaims = Record<string, string | undefined>;

/** Claims no selector may name: the token's envelope, checked by every cloud on its own. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  "aud",
  "iss",
  "exp",
  "iat",
  "nbf",
  "jti",
]);

/** Whether a claim name is in the issuer's vocabulary. */
export function knowsClaim(issuer: IssuerModel, claim: string): boolean {
  return (
    issuer.claims.has(claim) ||
    issuer.claimPrefixes.some((p) => claim.startsWith(p) && claim.length > p.length)
  );
}

/** The spec of a claim as the subject template sees it; unknown claims may contain anything. */
export function claimSpec(issuer: IssuerModel, claim: string): ClaimSpec {
  return issuer.claims.get(claim) ?? issuer.virtualClaims?.get(claim) ?? { excludes: "" };
}

/** Builds a vocabulary: every listed claim shares `spec` unless `overrides` names it. */
export function vocabulary(
  names: readonly string[],
  overrides: Readonly<Record<string, ClaimSpec>> = {},
  spec: ClaimSpec = { excludes: "" },
): Map<string, ClaimSpec> {
  const out = new Map<string, ClaimSpec>([["sub", { excludes: "" }]]);
  for (const n of names) out.set(n, own(overrides, n) ?? spec);
  for (const [n, s] of Object.entries(overrides)) out.set(n, s);
  return out;
}

/** Subject parts for `key:{claim}` pairs joined by ':' (GitLab, custom GitHub templates). */
export function keyValueParts(keys: readonly string[]): (string | { claim: string })[] {
  return keys.flatMap((k, i) => [`${i ? ":" : ""}${k}:`, { claim: k }]);
}
