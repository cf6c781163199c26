import type { Cloud } from "../backends/cloud";
import type { TokenClaims } from "../inspect/token-claims";

/** What `audit` finds when it compares deployed trust with the intent. */
export type FindingKind =
  "over-grant" | "under-grant" | "missing" | "permissions" | "unmanaged" | "risky";

/** One difference between what is deployed and what the intent means, on one resource. */
export interface Finding {
  readonly kind: FindingKind;
  readonly cloud: Cloud;
  /** The deployed (or planned, for `missing`) resource: an ARN, ID or name. */
  readonly resource: string;
  readonly identity?: string;
  readonly target?: string;
  /** For over- and under-grants: a token on which the deployed artefact and the intent differ. */
  readonly token?: TokenClaims;
  readonly message: string;
}
