import type { Cloud } from "../backends/cloud";
import type { ArtefactsByCloud } from "../backends/artefacts";
import type { PlanResource } from "./resource";

export type { PlanResource } from "./resource";

interface GrantPlanBase<C extends Cloud, A> {
  readonly target: string;
  readonly cloud: C;
  /** The `aud` a token must carry for this grant. */
  readonly audience: string;
  readonly resources: readonly PlanResource[];
  readonly artefacts: A;
}

/** One grant's plan; one member per cloud, discriminated by `cloud`. */
export type GrantPlan = { [C in Cloud]: GrantPlanBase<C, ArtefactsByCloud[C]> }[Cloud];

export interface IdentityPlan {
  readonly name: string;
  /** The issuer's name in the document. */
  readonly issuer: string;
  readonly issuerUrl: string;
  /** Its selectors in words, one per selector, OR'ed: which tokens the identity is for. */
  readonly accepts: readonly string[];
  readonly grants: readonly GrantPlan[];
}

/** What `trustplane plan --json` prints and the components create. */
export interface Plan {
  readonly identities: readonly IdentityPlan[];
}
