import type { AwsArtefacts } from "./aws/grant";
import type { AzureArtefacts } from "./azure/grant";
import type { GcpArtefacts } from "./gcp/grant";

/**
 * What each cloud enforces for one grant, by cloud: the type half of the registry in `./index.ts`.
 * A cloud missing here fails to compile where `GrantPlan` indexes this by `Cloud`.
 */
export interface ArtefactsByCloud {
  readonly aws: AwsArtefacts;
  readonly azure: AzureArtefacts;
  readonly gcp: GcpArtefacts;
}
