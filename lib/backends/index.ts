import type { CloudBackend } from "./backend";
import type { GrantHandoffBase } from "./handoff";
import type { Cloud } from "./cloud";
import { awsBackend } from "./aws/backend";
import { azureBackend } from "./azure/backend";
import { gcpBackend } from "./gcp/backend";
import type { AwsHandoff } from "./aws/handoff";
import type { AzureHandoff } from "./azure/handoff";
import type { GcpHandoff } from "./gcp/handoff";

/** Each cloud's part of a hand-off. */
interface HandoffOf {
  aws: AwsHandoff;
  azure: AzureHandoff;
  gcp: GcpHandoff;
}

/** What any grant hands off, in its cloud's terms. */
export type GrantHandoff = HandoffOf[Cloud];

/**
 * Every cloud trustplane compiles to, each with everything it means to trustplane (see
 * `CloudBackend`). Keyed by the schema's clouds: a cloud without a backend does not compile.
 */
export const BACKENDS: {
  readonly [C in Cloud]: CloudBackend<C, Extract<HandoffOf[C], GrantHandoffBase<C>>>;
} = {
  aws: awsBackend,
  azure: azureBackend,
  gcp: gcpBackend,
};

/** The clouds, in the order the human plan and the tallies list them. */
export const CLOUDS = Object.keys(BACKENDS) as Cloud[];

/**
 * The backend of a cloud, for code that holds a grant of any cloud: its methods take that
 * cloud's grants only, which is what a grant's own `cloud` (or its target's) guarantees.
 */
export function backendOf(cloud: Cloud): CloudBackend<Cloud, GrantHandoff> {
  return BACKENDS[cloud] as unknown as CloudBackend<Cloud, GrantHandoff>;
}
