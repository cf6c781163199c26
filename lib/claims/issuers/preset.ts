import type { Issue, Path } from "../../errors";
import type { Issuer, IssuerConfig } from "../../intent/document";
import type { IssuerKind, IssuerModel } from "../issuer";

/** The configuration of an issuer of one kind, as the schema gives it. */
export type IssuerConfigOf<K extends IssuerKind> = Extract<IssuerConfig, { kind: K }>;

/** One kind of issuer: how its configuration becomes a model, and what in it the schema cannot check. */
export interface IssuerPreset<K extends IssuerKind> {
  /** Everything trustplane knows about an issuer of this kind, configured so. */
  readonly model: (config: IssuerConfigOf<K>) => IssuerModel;
  /** Problems of the configuration the schema cannot see (claim orders, templates), under `path`. */
  readonly configIssues?: (config: IssuerConfigOf<K>, model: IssuerModel, path: Path) => Issue[];
  /**
   * The configuration of an issuer of this kind at `url`, when the URL alone shows it is one and
   * the kind needs more than `{kind}` (import drafts issuers from deployed URLs).
   */
  readonly recognize?: (url: string) => Extract<Issuer, { kind: K }> | undefined;
  /**
   * The configurations of other `sub` layouts an issuer of this kind may use, guessed from
   * deployed `sub` values (import tries each and keeps what it proves).
   */
  readonly subjectVariants?: (
    config: Extract<Issuer, { kind: K }>,
    subjects: readonly string[],
  ) => Extract<Issuer, { kind: K }>[];
}
