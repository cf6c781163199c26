import { literalPrefix } from "./glob";
import type { Matcher } from "./matcher";
import { finiteValues } from "./matcher";
import type { Piece } from "./alignment";
import type { ClaimSpec, SubjectCase, SubjectPart, SubjectTemplate } from "./template";

/**
 * Filling a subject layout with a selector's values: which value or glob each claim's slot may
 * take, every combination of them, and the pieces a glob is made of.
 */

/** Cap on subjects one selector expands to; past it, the largest oneOf is checked outside `sub`. */
const MAX_EXPANSION = 256;

export interface SlotValue {
  readonly value: string;
  readonly literal: boolean;
}

/** Per slot claim, the values or globs it may take; a split claim yields correlated pairs. */
export interface SlotChoices {
  readonly slots: Map<string, readonly SlotValue[]>;
  readonly pairs?: {
    readonly claims: readonly [string, string];
    readonly values: readonly (readonly [string, string])[];
  };
}

/** What projecting one selector onto one case of a layout reads, and the residual it records. */
export interface CaseContext {
  readonly selector: ReadonlyMap<string, Matcher>;
  readonly template: SubjectTemplate;
  readonly case: SubjectCase;
  readonly spec: (claim: string) => ClaimSpec;
  /** Claim → why sub cannot decide it, filled as the projection finds them. */
  readonly residual: Map<string, string>;
}

/** The values or globs each slot of the case may take; undefined when none can. */
export function slotOptions(
  { selector, template, residual, case: c }: CaseContext,
  slotClaims: readonly string[],
): SlotChoices | undefined {
  const slots = new Map<string, readonly SlotValue[]>();
  let pairs: SlotChoices["pairs"];
  const split = template.split;
  if (split && slotClaims.includes(split.into[1])) {
    const m = selector.get(split.claim);
    if (m?.kind === "absent") return undefined; // sub's repository part needs the claim
    const owner = selector.get(split.into[0]);
    const values = m && finiteValues(m);
    if (values) {
      const found = values
        .map((v) => cutAt(v, split.at))
        .filter((p): p is [string, string] => !!p && (!owner || ownerAllows(owner, p[0])));
      if (found.length === 0) return undefined;
      pairs = { claims: split.into, values: found };
    } else if (m?.kind === "pattern") {
      const prefix = literalPrefix(m.pattern);
      const at = prefix.indexOf(split.at);
      if (at >= 0 && (!owner || ownerAllows(owner, prefix.slice(0, at)))) {
        slots.set(split.into[0], [{ value: prefix.slice(0, at), literal: true }]);
        slots.set(split.into[1], [
          { value: m.pattern.slice(at + split.at.length), literal: false },
        ]);
      } else {
        residual.set(
          split.claim,
          `the sub of ${c.label} splits ${split.claim} at "${split.at}", which this pattern does not fix`,
        );
      }
    }
  }
  for (const claim of slotClaims) {
    if (slots.has(claim) || pairs?.claims.includes(claim)) continue;
    const m = selector.get(claim);
    const values = m && finiteValues(m);
    if (values)
      slots.set(
        claim,
        values.map((value) => ({ value, literal: true })),
      );
    else if (m?.kind === "pattern") slots.set(claim, [{ value: m.pattern, literal: false }]);
    else slots.set(claim, [ANY]);
  }
  return { slots, ...(pairs ? { pairs } : {}) };
}

const ANY: SlotValue = { value: "*", literal: false };

function ownerAllows(owner: Matcher, value: string): boolean {
  const values = finiteValues(owner);
  return values ? values.includes(value) : owner.kind !== "absent";
}

function cutAt(value: string, at: string): [string, string] | undefined {
  const i = value.indexOf(at);
  return i < 0 ? undefined : [value.slice(0, i), value.slice(i + at.length)];
}

export type Assignment = ReadonlyMap<string, SlotValue>;

/** Every combination of slot values, capped: past the cap the widest claim becomes `*`. */
export function expand({ residual, case: c }: CaseContext, options: SlotChoices): Assignment[] {
  const { slots, pairs } = options;
  const size = () => [...slots.values()].reduce((n, o) => n * o.length, pairs?.values.length ?? 1);
  while (size() > MAX_EXPANSION) {
    const [widest] = [...slots.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    slots.set(widest, [ANY]);
    residual.set(
      widest,
      `the sub of ${c.label} would need more than ${MAX_EXPANSION} values to list it`,
    );
  }
  let out = [new Map<string, SlotValue>()];
  for (const [claim, values] of slots) {
    out = out.flatMap((a) => values.map((v) => new Map<string, SlotValue>(a).set(claim, v)));
  }
  if (pairs) {
    const [first, second] = pairs.claims;
    out = out.flatMap((a) =>
      pairs.values.map(([x, y]) =>
        new Map<string, SlotValue>(a)
          .set(first, { value: x, literal: true })
          .set(second, { value: y, literal: true }),
      ),
    );
  }
  return out;
}

export function piece(
  { spec, residual }: CaseContext,
  part: SubjectPart,
  assignment: Assignment,
): Piece {
  if (typeof part === "string") return { lit: part };
  if ("opaque" in part) return { glob: "*", literal: false, excludes: part.excludes };
  const claim = part.claim;
  const s = spec(claim);
  const slot = assignment.get(claim) ?? ANY;
  const wildcard = { claim, glob: "*", literal: false, excludes: s.excludes };
  if (slot.literal) {
    const bad = valueProblem(slot.value, s);
    if (bad) {
      residual.set(claim, `${bad}, so sub cannot carry ${JSON.stringify(slot.value)} exactly`);
      return wildcard;
    }
    return { claim, glob: slot.value, literal: true, excludes: s.excludes };
  }
  if (s.colonEncoded && encodedPatternProblem(slot.value)) {
    residual.set(
      claim,
      `the issuer writes ':' as '%3A' inside sub, so the pattern ${JSON.stringify(slot.value)} cannot be matched there`,
    );
    return wildcard;
  }
  return { claim, glob: slot.value, literal: false, excludes: s.excludes };
}

/**
 * Whether a pattern can match a value whose ':' the issuer writes as '%3A' differently in sub: a
 * `?` stands for one ':' but not for three characters, a literal ':' or '%' meets the encoding,
 * and a literal after a `*` that begins with "A" or "3A" can start inside one.
 */
function encodedPatternProblem(pattern: string): boolean {
  if (pattern.includes("?")) return true;
  const literals = pattern.split("*");
  return literals.some(
    (lit, i) => /[:%]/.test(lit) || (i > 0 && (lit.startsWith("A") || lit.startsWith("3A"))),
  );
}

function valueProblem(value: string, s: ClaimSpec): string | undefined {
  // '%' alone is written as it is; only ':' and a literal "%3A" meet in sub
  if (s.colonEncoded && /:|%3A/.test(value)) {
    return "the issuer writes ':' as '%3A' inside sub and leaves '%' alone, so two values could give the same sub";
  }
  return undefined;
}
