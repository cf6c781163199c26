import { hasWildcards } from "./glob";
import type { ClaimSpec, SubjectCase, SubjectGlob } from "./template";

/**
 * Whether a glob on `sub` lines up with real subs: each wildcard with its own value, each exact
 * sub with one reading, each layout apart from the others.
 */

/** A part after expansion: literal text, or a slot holding a value or a glob. */
export type Piece = { readonly lit: string } | Slot;

export interface Slot {
  readonly claim?: string;
  readonly glob: string;
  readonly literal: boolean;
  readonly excludes: string;
}

export const isSlot = (p: Piece): p is Slot => !("lit" in p);

/**
 * Joins pieces into one glob. When a wildcard could shift the layout of `sub` (see `faithful`)
 * the glob stops at the first wildcard with a trailing `*`, which only widens what `sub`
 * admits; the claims after it are then left to the residual checks.
 */
export function alignGlob(
  pieces: readonly Piece[],
  separators: string,
  residual: Map<string, string>,
  parses: (text: string) => number,
): Rendered {
  const text = (ps: readonly Piece[]) => ps.map((p) => ("lit" in p ? p.lit : p.glob)).join("");
  const slotClaims = (ps: readonly Piece[]) =>
    ps.flatMap((p) => ("lit" in p || !p.claim ? [] : [p.claim]));
  const prefixOf = (ps: readonly Piece[]) => {
    const parts = ps.findIndex((p) => isSlot(p) && !p.literal);
    const head = parts < 0 ? ps : ps.slice(0, parts);
    return { parts: parts < 0 ? ps.length : parts, claims: slotClaims(head) };
  };
  if (pieces.every((p) => "lit" in p || p.literal)) {
    const whole = text(pieces);
    // one exact sub is exact only if no other split of it into values is possible
    const captured = parses(whole) > 1 ? [] : slotClaims(pieces);
    return {
      glob: { text: whole, literal: true },
      captured,
      cut: false,
      prefix: { parts: pieces.length, claims: captured },
    };
  }
  // inside a glob, a value's own '*' or '?' would turn into a wildcard
  const safe = pieces.map((p): Piece => {
    if (!isSlot(p) || !p.literal || !hasWildcards(p.glob)) return p;
    if (p.claim)
      residual.set(
        p.claim,
        `the value ${JSON.stringify(p.glob)} holds a wildcard character, which a glob on sub would read as a wildcard`,
      );
    return { ...p, glob: "*", literal: false };
  });
  if (faithful(safe, separators, true)) {
    return {
      glob: { text: text(safe), literal: false },
      captured: slotClaims(safe),
      cut: false,
      prefix: prefixOf(safe),
    };
  }
  const kept = openTail(safe, separators);
  if (kept) {
    const glob = text(kept);
    return {
      glob: { text: glob.endsWith("*") ? glob : `${glob}*`, literal: false },
      captured: slotClaims(kept),
      cut: false,
      prefix: prefixOf(kept),
    };
  }
  const first = safe.findIndex((p) => isSlot(p) && !p.literal);
  const head = safe.slice(0, first);
  const captured = delimited(head);
  const loose = head.find(
    (p): p is Slot & { claim: string } => isSlot(p) && !!p.claim && !captured.includes(p.claim),
  );
  const after = loose && head[head.indexOf(loose) + 1];
  return {
    glob: { text: `${text(head)}*`, literal: false },
    captured,
    cut: true,
    prefix: { ...prefixOf(head), claims: captured },
    ...(loose
      ? { undelimited: { claim: loose.claim, next: after && "lit" in after ? after.lit : "" } }
      : {}),
  };
}

/**
 * The leading literal values a prefix decides: each must be followed by literal text that begins
 * with a character the value never holds, or a value holding the next literal (`payments:app:x`
 * in `ns:{namespace}:app:{app}`) would read as the same prefix.
 */
function delimited(pieces: readonly Piece[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (!isSlot(p)) continue;
    const next = pieces[i + 1];
    const first = next && "lit" in next ? next.lit[0] : undefined;
    if (!p.literal || first === undefined || !p.excludes.includes(first)) break;
    if (p.claim) out.push(p.claim);
  }
  return out;
}

/**
 * The pieces up to the last value the selector constrains, when every later value is left open:
 * `organization:O:pipeline:P:ref:refs/tags/v*` for a tag pattern, whatever commit and step key
 * follow. The last kept value is a `prefix*` pattern (its value may run on into the rest) or an
 * exact value with the literal after it, which must begin with a character the value never
 * holds; undefined when that does not line up.
 */
function openTail(pieces: readonly Piece[], separators: string): Piece[] | undefined {
  const open = (p: Piece) => isSlot(p) && p.glob === "*";
  const last = pieces.findLastIndex((p) => isSlot(p) && !open(p));
  if (last < 0 || !pieces.slice(last + 1).some(open)) return undefined;
  const slot = pieces[last] as Slot;
  if (!slot.literal) {
    const head = slot.glob.slice(0, -1);
    if (!slot.glob.endsWith("*") || hasWildcards(head)) return undefined;
    const kept = pieces.slice(0, last + 1);
    return faithful(kept, separators, true) ? kept : undefined;
  }
  const next = pieces[last + 1];
  if (!next || !("lit" in next) || !slot.excludes.includes(next.lit[0]!)) return undefined;
  const kept = pieces.slice(0, last + 2);
  return faithful(kept, separators, false) ? kept : undefined;
}

export interface Rendered {
  readonly glob: SubjectGlob;
  /** Claims whose values the glob fixes. */
  readonly captured: readonly string[];
  /** The glob stops early with a `*` (see `faithful`). */
  readonly cut: boolean;
  /** The first exact value of the head whose end the text after it cannot mark. */
  readonly undelimited?: { readonly claim: string; readonly next: string };
  /** How many leading parts are literal, and the claims among them. */
  readonly prefix: { readonly parts: number; readonly claims: readonly string[] };
}

/** Whether two cases begin with the same `count` parts. */
export function sameParts(a: SubjectCase, b: SubjectCase, count: number): boolean {
  if (a.parts.length < count || b.parts.length < count) return false;
  return a.parts.slice(0, count).every((p, i) => JSON.stringify(p) === JSON.stringify(b.parts[i]));
}

/**
 * In how many ways (0, 1 or 2 meaning "several") `text` splits into the parts of case `c`,
 * each value a non-empty run of characters it may hold.
 */
export function countParses(
  text: string,
  c: SubjectCase,
  spec: (claim: string) => ClaimSpec,
): number {
  const t = Array.from(text);
  const parts = c.parts.map((p): { lit: string[] } | { excludes: string } =>
    typeof p === "string"
      ? { lit: Array.from(p) }
      : { excludes: "claim" in p ? spec(p.claim).excludes : p.excludes },
  );
  const memo = new Map<number, number>();
  const at = (i: number, lit: readonly string[]) => lit.every((ch, k) => t[i + k] === ch);
  const ways = (i: number, pj: number, inValue: boolean): number => {
    // one number per state: the memo is hit for every character of every value
    const key = (i * (parts.length + 1) + pj) * 2 + (inValue ? 1 : 0);
    const known = memo.get(key);
    if (known !== undefined) return known;
    const part = parts[pj];
    let n = 0;
    if (!part) n = i === t.length ? 1 : 0;
    else if ("lit" in part) n = at(i, part.lit) ? ways(i + part.lit.length, pj + 1, false) : 0;
    else {
      if (inValue) n += ways(i, pj + 1, false);
      if (i < t.length && !part.excludes.includes(t[i]!)) n += ways(i + 1, pj, true);
    }
    memo.set(key, Math.min(n, 2));
    return Math.min(n, 2);
  };
  return ways(0, 0, false);
}

/**
 * Whether matching this glob against a real `sub` can only line each wildcard up with its own
 * value. The argument: pick a separator that no value in the span can contain (the last value
 * may, when nothing follows it); then a real `sub` has that separator exactly where the glob's
 * literal text has it, so the span splits into smaller spans that line up one to one. A span
 * holding a single value is lined up by its ends.
 */
function faithful(pieces: readonly Piece[], separators: string, tailOpen: boolean): boolean {
  const slots = pieces.filter(isSlot);
  if (slots.length <= 1) return true;
  const last = pieces[pieces.length - 1];
  const open = (p: Slot) => tailOpen && p === last;
  // what a real value holds is what matters: the glob's own value is only one of them
  const holdsNo = (p: Slot, ch: string) => p.excludes.includes(ch) && !p.glob.includes(ch);
  if (slots.every((p) => p.literal)) {
    const delimiters = Array.from(separators).filter((sep) =>
      pieces.some((p) => "lit" in p && p.lit.includes(sep)),
    );
    return slots.every((p) => open(p) || delimiters.every((sep) => holdsNo(p, sep)));
  }
  for (const sep of Array.from(separators)) {
    if (!pieces.some((p) => "lit" in p && p.lit.includes(sep))) continue;
    const keeps = (p: Slot) => holdsNo(p, sep);
    // a last value that may hold the separator lets an earlier wildcard slide over it
    const openTail = last !== undefined && isSlot(last) && open(last) && !keeps(last);
    const splittable = openTail
      ? slots.every((p) => p === last || (p.literal && keeps(p)))
      : slots.every(keeps);
    if (!splittable) continue;
    const spans: Piece[][] = [[]];
    for (const p of pieces) {
      if (!("lit" in p)) {
        spans[spans.length - 1]!.push(p);
        continue;
      }
      const chunks = p.lit.split(sep);
      chunks.forEach((chunk, i) => {
        if (i > 0) spans.push([]);
        if (chunk) spans[spans.length - 1]!.push({ lit: chunk });
      });
    }
    return spans.every((span, i) => faithful(span, separators, i === spans.length - 1 && tailOpen));
  }
  return false;
}

/**
 * Whether some real sub of case `other` could match `glob`: the case's parts are walked with
 * each value standing for any non-empty run of characters it may hold. Over-approximates the
 * real subs, so a false answer is a proof.
 */
export function overlaps(
  glob: SubjectGlob,
  other: SubjectCase,
  spec: (claim: string) => ClaimSpec,
): boolean {
  const g = Array.from(glob.text);
  type Part = { lit: string[] } | { excludes: string };
  const parts: Part[] = other.parts.map((p) =>
    typeof p === "string"
      ? { lit: Array.from(p) }
      : { excludes: "claim" in p ? spec(p.claim).excludes : p.excludes },
  );
  const seen = new Set<number>();
  const offsets = Math.max(2, ...parts.map((p) => ("lit" in p ? p.lit.length + 1 : 2)));
  // state: glob index, part index, offset in a literal part or 0/1 (value begun) in a value part
  const go = (gi: number, pj: number, off: number): boolean => {
    const key = (gi * (parts.length + 1) + pj) * offsets + off;
    if (seen.has(key)) return false;
    seen.add(key);
    const part = parts[pj];
    if (part && "lit" in part && off === part.lit.length) return go(gi, pj + 1, 0);
    if (part && "excludes" in part && off === 1 && go(gi, pj + 1, 0)) return true;
    if (gi === g.length) return pj === parts.length;
    if (!part) return !glob.literal && g.slice(gi).every((ch) => ch === "*");
    const ch = g[gi]!;
    const wild = !glob.literal && (ch === "*" || ch === "?");
    if (!glob.literal && ch === "*" && go(gi + 1, pj, off)) return true;
    if ("lit" in part) {
      if (!wild && ch !== part.lit[off]) return false;
      return go(ch === "*" && !glob.literal ? gi : gi + 1, pj, off + 1);
    }
    if (!wild && part.excludes.includes(ch)) return false;
    return go(ch === "*" && !glob.literal ? gi : gi + 1, pj, 1);
  };
  return go(0, 0, 0);
}

/**
 * Up to `limit` ways `text` splits into the parts of case `c`, each value a non-empty run of
 * characters it may hold (its alphabet, when declared): per part, its value (undefined for a
 * literal). The search gives up after a fixed number of steps on pathological texts.
 */
export function splits(
  text: string,
  c: SubjectCase,
  spec: (claim: string) => ClaimSpec,
  limit: number,
): (string | undefined)[][] {
  const t = Array.from(text);
  const found: (string | undefined)[][] = [];
  const values: (string | undefined)[] = [];
  let budget = 20_000;
  const go = (i: number, j: number): void => {
    if (found.length >= limit || --budget < 0) return;
    const part = c.parts[j];
    if (part === undefined) {
      if (i === t.length) found.push([...values]);
      return;
    }
    if (typeof part === "string") {
      const lit = Array.from(part);
      if (!lit.every((ch, k) => t[i + k] === ch)) return;
      values[j] = undefined;
      go(i + lit.length, j + 1);
      return;
    }
    const s = "claim" in part ? spec(part.claim) : { excludes: part.excludes };
    for (let e = i + 1; e <= t.length && !s.excludes.includes(t[e - 1]!); e++) {
      const value = t.slice(i, e).join("");
      if (s.alphabet && !s.alphabet.test(value)) continue;
      values[j] = value;
      go(e, j + 1);
    }
  };
  go(0, 0);
  return found;
}
