import type { Issue, Path } from "../errors";
import type { TokenClaims } from "../inspect/token-claims";
import type { Verdict } from "../inspect/verdict";
import type { GrantConfig } from "../intent/document";
import type { GrantIR, IdentityIR } from "../ir/types";
import type { PlanResource } from "../plan/resource";
import type { Cloud } from "./cloud";
import type { ArtefactsOf, GrantPlanOf, TargetOf } from "./cloud-types";
import type { CloudHandoff, GrantHandoffBase } from "./handoff";

export type { ArtefactsOf, GrantPlanOf, TargetOf } from "./cloud-types";

/** One grant, built: the audience its tokens carry, the artefacts, the resources, the issues. */
export interface BuiltGrant<C extends Cloud> {
  readonly audience: string;
  readonly artefacts: ArtefactsOf<C>;
  readonly resources: PlanResource[];
  readonly issues: Issue[];
}

/** A grant of one cloud across the document: its plan, where it was written, and its identity. */
export interface PlacedGrant<C extends Cloud> {
  readonly plan: GrantPlanOf<C>;
  readonly grant: GrantIR<TargetOf<C>>;
  readonly identity: IdentityIR;
}

/** A physical name a cloud requires to be unique, and the grant option that sets it. */
export interface UniqueName {
  readonly key: string;
  readonly option: string;
  readonly what: string;
}

/**
 * Everything one cloud means to trustplane: the grant options it takes, how it builds a grant's
 * artefacts and resources, what its grants share across identities, which physical names must
 * be unique, how it decides a token, the `sub` values it accepts and how the human plan shows it.
 * The registry in `index.ts` holds one per cloud: a cloud without one does not compile.
 */
export interface CloudBackend<
  C extends Cloud,
  G extends GrantHandoffBase<C> = GrantHandoffBase<C>,
> {
  /** Grant keys this cloud takes besides `target` and `audience`. */
  readonly grantKeys: readonly (keyof GrantConfig)[];
  /** Problems of a target of this cloud, found when the document is resolved. */
  targetIssues(target: TargetOf<C>, path: Path): Issue[];
  /** Problems of a grant's options in this cloud (Azure roles are objects, GCP's names). */
  optionIssues(options: GrantConfig, path: Path): Issue[];
  /** The artefacts and resources of one identity's grant. */
  grant(identity: IdentityIR, grant: GrantIR<TargetOf<C>>): BuiltGrant<C>;
  /**
   * What this cloud's grants share across the document (AWS: one OIDC provider per issuer URL
   * per account), applied once every grant is built: the plans in the same order, and the issues
   * of the limits on what is shared.
   */
  share(grants: readonly PlacedGrant<C>[]): { plans: GrantPlanOf<C>[]; issues: Issue[] };
  /** The physical names of a grant that must be unique in the document. */
  uniqueNames(plan: GrantPlanOf<C>): UniqueName[];
  /** The cloud's decision on a token, with the audiences it carries. */
  evaluate(
    identity: IdentityIR,
    plan: GrantPlanOf<C>,
    claims: TokenClaims,
    audiences: readonly string[],
  ): Verdict;
  /** The `sub` values (exact or patterns) its artefacts accept, for verify's attacker tokens. */
  subPatterns(artefacts: ArtefactsOf<C>): string[];
  /** The human plan's lines for a grant, after its heading. */
  describe(plan: GrantPlanOf<C>): string[];
  /** What the cloud contributes to an app team's hand-off (`trustplane render`). */
  readonly handoff: CloudHandoff<C, G>;
}

/** The keys of a cloud's grant options shape (its `options.ts`), as `grantKeys` lists them. */
export const optionKeys = <T extends Partial<Record<keyof GrantConfig, unknown>>>(shape: T) =>
  Object.keys(shape) as (keyof T & keyof GrantConfig)[];
