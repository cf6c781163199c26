import type { IssuerModel } from "../claims/issuer";
import type { Matcher } from "../claims/matcher";
import type { Path } from "../errors";
import type { BackendConfig, GrantConfig, HandoffConfig, TargetConfig } from "../intent/document";

/**
 * The normalized intent every backend reads: references resolved, matchers normalized, claims
 * sorted. Readonly plain data.
 */
export interface DocumentIR {
  readonly identities: readonly IdentityIR[];
  readonly targets: ReadonlyMap<string, TargetIR>;
}

export interface IdentityIR {
  readonly name: string;
  readonly description?: string;
  /** The issuer's key in the document. */
  readonly issuerName: string;
  readonly issuer: IssuerModel;
  /** OR'ed; each one's claims are AND'ed. */
  readonly selectors: readonly SelectorIR[];
  readonly grants: readonly GrantIR[];
  /** What `render` writes for the app team, when the document asks for it. */
  readonly handoff?: HandoffIR;
  readonly path: Path;
}

export interface SelectorIR {
  /** Claim name → matcher, sorted by claim name. */
  readonly claims: ReadonlyMap<string, Matcher>;
  readonly path: Path;
}

/** A target of the document with its name; one member per cloud (`TargetOf` picks one). */
export type TargetIR = TargetConfig & { readonly name: string };

export interface GrantIR<T extends TargetIR = TargetIR> {
  readonly target: T;
  readonly options: GrantConfig;
  readonly path: Path;
}

/** Narrows a grant by its target's cloud. */
export function isGrantFor<C extends TargetIR["cloud"]>(
  grant: GrantIR,
  cloud: C,
): grant is GrantIR<Extract<TargetIR, { cloud: C }>> {
  return grant.target.cloud === cloud;
}

/** The CI an app team runs: what `render` writes besides the Terraform files. */
export type CiKind = NonNullable<HandoffConfig["ci"]>;

/** An identity's hand-off, resolved: at most one grant per cloud, the backend's grant found. */
export interface HandoffIR {
  readonly ci: CiKind;
  /** The grants the app team's Terraform uses, in document order. */
  readonly grants: readonly GrantIR[];
  readonly awsRegion?: string;
  readonly backend?: BackendConfig & { readonly grant: GrantIR };
  readonly tokenDirectory: string;
  readonly path: Path;
}
