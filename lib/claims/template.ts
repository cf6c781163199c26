import type { Guard } from "./matcher";

/** How issuers lay out `sub`: the data issuer presets declare and the projection reads. */

/** What trustplane knows about one claim of an issuer. */
export interface ClaimSpec {
  /** Characters the claim's values never contain, as the issuer writes them into `sub`. */
  readonly excludes: string;
  /** The issuer writes ':' inside this value as '%3A' in `sub` and leaves '%' as it is (GitHub). */
  readonly colonEncoded?: boolean;
  /** The value has inner parts (`path@ref`): a wildcard before the last separator can cross parts. */
  readonly structure?: { readonly separator: string; readonly parts: number };
  /** The characters its values are made of, when the document declares them (`^[a-z0-9-]*$`). */
  readonly alphabet?: RegExp;
}

/** Literal text, a claim's value, or a value that is no claim (CircleCI's user id in `sub`). */
export type SubjectPart =
  string | { readonly claim: string } | { readonly opaque: string; readonly excludes: string };

/**
 * One layout of `sub`. An issuer picks the first case whose guards hold; the literal text of
 * the parts must tell the cases apart (GitHub: `:environment:`, `:pull_request`, `:ref:`).
 */
export interface SubjectCase {
  /** Names the case in messages: "a job with an environment". */
  readonly label: string;
  /** How a selector rules this case out, for messages: "add environment: {absent: true}". */
  readonly ruleOut?: string;
  readonly when: Readonly<Record<string, Guard>>;
  readonly parts: readonly SubjectPart[];
}

/** How an issuer builds `sub` from the other claims. */
export interface SubjectTemplate {
  readonly cases: readonly SubjectCase[];
  /** Characters that separate values in `sub`. */
  readonly separators: string;
  /** A claim written as two parts (GitHub's immutable form splits `repository` at '/'). */
  readonly split?: {
    readonly claim: string;
    readonly at: string;
    readonly into: readonly [string, string];
  };
}

/** A `sub` value, or a glob over `sub` values. */
export interface SubjectGlob {
  readonly text: string;
  /** True when `text` is one exact subject (it may then contain `*` or `?` literally). */
  readonly literal: boolean;
}
