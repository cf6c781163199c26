import type { Cloud } from "../backends/cloud";
import type { TokenClaims } from "../inspect/token-claims";

/** What `audit` finds when it compares deployed trust with the intent, in the order reports list them. */
export const FINDING_KINDS = [
  "over-grant",
  "under-grant",
  "missing",
  "permissions",
  "unmanaged",
  "risky",
] as const;

/** What `audit` finds when it compares deployed trust with the intent. */
export type FindingKind = (typeof FINDING_KINDS)[number];

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

/**
 * Something of the intent's grants that `audit` could not compare because the files lack it (an
 * Azure audit without role assignments compares no permissions): a report without findings
 * must not read as "exactly the intent's trust" then.
 */
export interface NotCompared {
  readonly cloud: Cloud;
  /** What was left out: "permissions (role assignments of the intent's managed identities)". */
  readonly what: string;
  /** Why, and which file would include it. */
  readonly why: string;
}
