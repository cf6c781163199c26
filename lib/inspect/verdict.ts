import type { Cloud } from "../backends/cloud";

/** A cloud's decision on one token, and why, in that cloud's own terms. */
export interface Verdict {
  readonly allowed: boolean;
  readonly reason: string;
}

export const allow = (reason: string): Verdict => ({ allowed: true, reason });
export const deny = (reason: string): Verdict => ({ allowed: false, reason });

/** One identity × grant decision on a token. */
export interface Decision {
  readonly identity: string;
  readonly target: string;
  readonly cloud: Cloud;
  readonly allowed: boolean;
  readonly reason: string;
}
