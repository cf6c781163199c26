/**
 * Subjects that other principals of an issuer lay out themselves. On GitHub any repository (or
 * organization) picks its own `include_claim_keys`, on GitLab any project its sub claim
 * components: its `sub` is then `key:value` pairs of its choice, joined by ':', in which no value
 * holds ':'. The layout a document declares is only the named principals' (the repositories its
 * selectors name), so whatever `sub` is trusted to say about *who* sent a token must hold for
 * every layout: these readings find what it says, read from the left, whatever the layout.
 */

/** What a sub shows of one claim: its whole value, or only how the value begins. */
export interface Fact {
  readonly value: string;
  readonly whole: boolean;
}

/** One issuer's rules for layouts its principals choose. */
export interface SubjectLayouts {
  /** Who chooses a layout, for messages: "repository". */
  readonly principal: string;
  /** How, for messages: "include_claim_keys". */
  readonly setting: string;
  /** The claims that name the principal; the issuer vouches for their values in any layout. */
  readonly claims: readonly string[];
  /** Keys written without a value (GitHub's `pull_request` context). */
  readonly bare: readonly string[];
  /** Whether a layout may hold this key. */
  readonly isKey: (key: string) => boolean;
  /** The principal claims a key's value shows (`repo` → repository, its owner and their IDs). */
  readonly facts: (key: string, value: Fact) => readonly (readonly [string, Fact])[];
  /** Whether the issuer can write this whole value for the key (`repo` is `O/R` or `O@ID/R@ID`). */
  readonly isValue: (key: string, value: string) => boolean;
  /** What a bare key says of the other claims (`pull_request`: a pull request job, no environment). */
  readonly bareClaims: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>;
  /** Another principal's own claims, for attacker tokens: a principal the document never names. */
  readonly stranger: Readonly<Record<string, string>>;
  /** Keys whose values the principal types freely (workflow and environment names), for attackers. */
  readonly freeKeys: readonly string[];
  /** How the stranger's own values end a part of sub (its repository, in each form), for attackers. */
  readonly closers: readonly string[];
}

/** One `key:value` pair of a sub (value undefined for a bare key), as far as the text goes. */
export interface Segment {
  readonly key: string;
  readonly value?: Fact;
}

/**
 * The pairs of a sub that is `text` (whole) or begins with it. Undefined when no layout writes a
 * whole `text`; a prefix is read as far as it goes, stopping at a key it does not know.
 */
export function segments(
  layouts: SubjectLayouts,
  text: string,
  whole: boolean,
): Segment[] | undefined {
  const parts = text.split(":");
  const out: Segment[] = [];
  for (let i = 0; i < parts.length;) {
    const key = parts[i]!;
    // the last part of a prefix may be a key still being written
    if (!whole && i === parts.length - 1) break;
    if (layouts.bare.includes(key)) {
      out.push({ key });
      i += 1;
      continue;
    }
    if (!layouts.isKey(key) || (whole && i + 1 >= parts.length)) return whole ? undefined : out;
    out.push({ key, value: { value: parts[i + 1]!, whole: whole || i + 2 < parts.length } });
    i += 2;
  }
  return out;
}

/**
 * What every sub that is `text` (whole) or begins with it shows of the principal claims, whatever
 * layout wrote it. A text no layout can write shows nothing (and matches no token anyway).
 */
export function principalFacts(
  layouts: SubjectLayouts,
  text: string,
  whole: boolean,
): ReadonlyMap<string, Fact> {
  const out = new Map<string, Fact>();
  for (const s of segments(layouts, text, whole) ?? []) {
    if (!s.value) continue;
    for (const [claim, fact] of layouts.facts(s.key, s.value)) {
      if (!out.has(claim) || (fact.whole && !out.get(claim)!.whole)) out.set(claim, fact);
    }
  }
  return out;
}
