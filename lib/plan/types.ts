import type { Cloud } from "../backends/cloud";
import type { AwsArtefacts } from "../backends/aws/grant";
import type { AzureArtefacts } from "../backends/azure/grant";
import type { GcpArtefacts } from "../backends/gcp/grant";
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

export type GrantPlan =
  | GrantPlanBase<"aws", AwsArtefacts>
  | GrantPlanBase<"azure", AzureArtefacts>
  | GrantPlanBase<"gcp", GcpArtefacts>;

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
