/** A cloud's decision on one token, and why, in that cloud's own terms. */
export interface Verdict {
  readonly allowed: boolean;
  readonly reason: string;
}

export const allow = (reason: string): Verdict => ({ allowed: true, reason });
export const deny = (reason: string): Verdict => ({ allowed: false, reason });
