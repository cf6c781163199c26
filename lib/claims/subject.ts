import { hasWildcards, literalPrefix } from "./glob";
import type { Guard, Matcher } from "./matcher";
import { compatible, finiteValues, impliedBy } from "./matcher";

/** What trustplane knows about one claim of an issuer. */
export interface ClaimSpec {
  /** Characters the claim's values never contain, as the issuer writes them into `sub`. */
  readonly excludes: string;
  /** The issuer writes ':' inside this value as '%3A' in `sub` and leaves '%' as it is (GitHub). */
  readonly colonEncoded?: boolean;
  /** The value has inner parts (`path@ref`): a wildcard before the last separator can cross parts. */
  readonly structure?: { readonly separator: string; readonly parts: number };
}

/** Literal text, a claim's value, or a value that is no claim (CircleCI's user id in `sub`). */
export type SubjectPart =
  string | { readonly claim: string } | { readonly opaque: string; readonly excludes: string };

/**
 * One layout of `sub`. An issuer picks the first case whose guards hold; the literal text of
 * the parts must tell the cases apart (GitHub: `:environment:`, `:pull_request`, `:ref:`).
 */
export interface SubjectCase {
  /** Names the case in messages: "a job with an environment". */
  readonly label: string;
  /** How a selector rules this case out, for messages: "add environment: {absent: true}". */
  readonly ruleOut?: string;
  readonly when: Readonly<Record<string, Guard>>;
  readonly parts: readonly SubjectPart[];
}

/** How an issuer builds `sub` from the other claims. */
export interface SubjectTemplate {
  readonly cases: readonly SubjectCase[];
  /** Characters that separate values in `sub`. */
  readonly separators: string;
  /** A claim written as two parts (GitHub's immutable form splits `repository` at '/'). */
  readonly split?: {
    readonly claim: string;
    readonly at: string;
    readonly into: readonly [string, string];
  };
}

/** A `sub` value, or a glob over `sub` values. */
export interface SubjectGlob {
  readonly text: string;
  /** True when `text` is one exact subject (it may then contain `*` or `?` literally). */
  readonly literal: boolean;
}

/**
 * What matching `sub` alone can do for one selector: the union of `subjects` holds the `sub` of
 * every token the selector accepts, and a token whose `sub` is in that union and whose
 * `residual` claims satisfy the selector is accepted by it. Empty `residual` means `sub` alone
 * is exact.
 */
export interface SubjectProjection {
  readonly satisfiable: boolean;
  readonly subjects: readonly SubjectGlob[];
  /** Claim name → why `sub` cannot decide it, phrased for messages. */
  readonly residual: ReadonlyMap<string, string>;
}

/** Cap on subjects one selector expands to; past it, the largest oneOf is checked outside `sub`. */
const MAX_EXPANSION = 256;

/**
 * Projects a selector onto `sub`. Sound by construction: a wildcard is only placed where no
 * claim value can shift the layout of `sub` (see `faithful`), and anything `sub` cannot decide
 * is reported in `residual` instead of being dropped.
 */
export function projectSubject(
  selector: ReadonlyMap<string, Matcher>,
  template: SubjectTemplate | undefined,
  spec: (claim: string) => ClaimSpec,
  issuerLabel: string,
): SubjectProjection {
  const sub = selector.get("sub");
  if (sub) return projectWrittenSubject(selector, sub);
  if (!template) {
    const why = `the layout of ${issuerLabel}'s sub is not known, so sub cannot stand in for claims`;
    return {
      satisfiable: true,
      subjects: [{ text: "*", literal: false }],
      residual: new Map([...selector.keys()].map((k) => [k, why])),
    };
  }
  const subjects = new Map<string, SubjectGlob>();
  const residual = new Map<string, string>();
  let satisfiable = false;
  const results: CaseResult[] = [];
  for (const c of template.cases) {
    const result = projectCase(selector, c, template, spec);
    if (!result) continue;
    satisfiable = true;
    results.push(result);
    for (const g of result.globs) subjects.set(`${g.literal}:${g.text}`, g);
    for (const [k, why] of result.residual) if (!residual.has(k)) residual.set(k, why);
  }
  // a hint to rule a case out helps only if another case's sub decides the claim
  for (const r of results) {
    for (const [claim, hint] of r.hinted) {
      const why = residual.get(claim);
      if (why && results.some((o) => o !== r && o.decided.has(claim))) {
        residual.set(claim, `${why} (to make sub decide it, ${hint})`);
      }
    }
  }
  return { satisfiable, subjects: [...subjects.values()], residual };
}

function projectWrittenSubject(
  selector: ReadonlyMap<string, Matcher>,
  sub: Matcher,
): SubjectProjection {
  const values = finiteValues(sub);
  const subjects: SubjectGlob[] = values
    ? values.map((text) => ({ text, literal: true }))
    : sub.kind === "pattern"
      ? [{ text: sub.pattern, literal: false }]
      : [];
  const why = "sub is given, so it is matched as written and this claim is checked on its own";
  const residual = new Map([...selector.keys()].filter((k) => k !== "sub").map((k) => [k, why]));
  return { satisfiable: sub.kind !== "absent", subjects, residual };
}

/** A part after expansion: literal text, or a slot holding a value or a glob. */
type Piece = { readonly lit: string } | Slot;
interface Slot {
  readonly claim?: string;
  readonly glob: string;
  readonly literal: boolean;
  readonly excludes: string;
}

const isSlot = (p: Piece): p is Slot => !("lit" in p);

interface CaseResult {
  readonly globs: readonly SubjectGlob[];
  readonly residual: ReadonlyMap<string, string>;
  /** Claims this case's sub decides. */
  readonly decided: ReadonlySet<string>;
  /** Residual claims the case's `ruleOut` hint would help with. */
  readonly hinted: ReadonlyMap<string, string>;
}

function projectCase(
  selector: ReadonlyMap<string, Matcher>,
  c: SubjectCase,
  template: SubjectTemplate,
  spec: (claim: string) => ClaimSpec,
): CaseResult | undefined {
  for (const [claim, guard] of Object.entries(c.when)) {
    const m = selector.get(claim);
    if (m && !compatible(m, guard)) return undefined;
  }
  const residual = new Map<string, string>();
  const slotClaims = c.parts.flatMap((p) =>
    typeof p === "object" && "claim" in p ? [p.claim] : [],
  );
  for (const claim of slotClaims) if (selector.get(claim)?.kind === "absent") return undefined;

  const options = slotOptions(selector, slotClaims, template, residual, c);
  if (!options) return undefined;

  const globs: SubjectGlob[] = [];
  let decidedBySub: Set<string> | undefined;
  let cut = false;
  let lookalike: SubjectCase | undefined;
  for (const assignment of expand(options, residual, c)) {
    const pieces = c.parts.map((p) => piece(p, assignment, spec, residual));
    const glob = render(pieces, template.separators, residual, (text) =>
      countParses(text, c, spec),
    );
    globs.push(glob.glob);
    cut ||= glob.cut;
    const others = template.cases.filter((o) => o !== c && overlaps(glob.glob, o, spec));
    lookalike ??= others[0];
    // a lookalike case's token still shows the values of a literal prefix both layouts share
    const safe =
      others.length === 0
        ? glob.captured
        : others.every((o) => sameParts(c, o, glob.prefix.parts))
          ? glob.prefix.claims
          : [];
    decidedBySub = decidedBySub ? new Set(safe.filter((k) => decidedBySub!.has(k))) : new Set(safe);
  }
  const captured = decidedBySub ?? new Set<string>();
  const hinted = new Map<string, string>();
  for (const [claim, m] of selector) {
    if (residual.has(claim)) continue;
    if (lookalike && !captured.has(claim)) {
      residual.set(
        claim,
        `the sub of ${c.label} can read like the sub of ${lookalike.label}, so sub cannot tell them apart`,
      );
      continue;
    }
    if (captured.has(claim)) continue;
    const guard = c.when[claim];
    if (guard && impliedBy(m, guard)) continue;
    const split = template.split;
    if (split?.claim === claim && split.into.every((k) => captured.has(k) && !residual.has(k)))
      continue;
    residual.set(claim, cut ? cutReason(c) : `the sub of ${c.label} does not carry ${claim}`);
    if (!cut && c.ruleOut) hinted.set(claim, c.ruleOut);
  }
  const decided = new Set([...selector.keys()].filter((k) => !residual.has(k)));
  return { globs, residual, decided, hinted };
}

/**
 * Whether some real sub of case `other` could match `glob`: the case's parts are walked with
 * each value standing for any non-empty run of characters it may hold. Over-approximates the
 * real subs, so a false answer is a proof.
 */
function overlaps(
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
  const seen = new Set<string>();
  // state: glob index, part index, offset in a literal part or 0/1 (value begun) in a value part
  const go = (gi: number, pj: number, off: number): boolean => {
    const key = `${gi},${pj},${off}`;
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

function cutReason(c: SubjectCase): string {
  return `a wildcard in the sub of ${c.label} could reach into the next value, so sub stops deciding there`;
}

interface SlotValue {
  readonly value: string;
  readonly literal: boolean;
}

/** Per slot claim, the values or globs it may take; a split claim yields correlated pairs. */
interface Options {
  readonly slots: Map<string, readonly SlotValue[]>;
  readonly pairs?: {
    readonly claims: readonly [string, string];
    readonly values: readonly (readonly [string, string])[];
  };
}

function slotOptions(
  selector: ReadonlyMap<string, Matcher>,
  slotClaims: readonly string[],
  template: SubjectTemplate,
  residual: Map<string, string>,
  c: SubjectCase,
): Options | undefined {
  const slots = new Map<string, readonly SlotValue[]>();
  let pairs: Options["pairs"];
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

type Assignment = ReadonlyMap<string, SlotValue>;

/** Every combination of slot values, capped: past the cap the widest claim becomes `*`. */
function expand(options: Options, residual: Map<string, string>, c: SubjectCase): Assignment[] {
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

function piece(
  part: SubjectPart,
  assignment: Assignment,
  spec: (claim: string) => ClaimSpec,
  residual: Map<string, string>,
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
  if (
    s.colonEncoded &&
    slot.value !== "*" &&
    (slot.value.includes("?") || /[:%3A]/.test(literalChars(slot.value)))
  ) {
    residual.set(
      claim,
      `the issuer writes ':' as '%3A' inside sub, so the pattern ${JSON.stringify(slot.value)} cannot be matched there`,
    );
    return wildcard;
  }
  return { claim, glob: slot.value, literal: false, excludes: s.excludes };
}

function literalChars(pattern: string): string {
  return pattern.replace(/[*?]/g, "");
}

function valueProblem(value: string, s: ClaimSpec): string | undefined {
  if (s.colonEncoded && /[:%]/.test(value)) {
    return "the issuer writes ':' as '%3A' inside sub and leaves '%' alone, so two values could give the same sub";
  }
  return undefined;
}

/**
 * Joins pieces into one glob. When a wildcard could shift the layout of `sub` (see `faithful`)
 * the glob stops at the first wildcard with a trailing `*`, which only widens what `sub`
 * admits; the claims after it are then left to the residual checks.
 */
function render(
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
  const first = safe.findIndex((p) => isSlot(p) && !p.literal);
  const head = safe.slice(0, first);
  return {
    glob: { text: `${text(head)}*`, literal: false },
    captured: slotClaims(head),
    cut: true,
    prefix: prefixOf(head),
  };
}

interface Rendered {
  readonly glob: SubjectGlob;
  /** Claims whose values the glob fixes. */
  readonly captured: readonly string[];
  /** The glob stops early with a `*` (see `faithful`). */
  readonly cut: boolean;
  /** How many leading parts are literal, and the claims among them. */
  readonly prefix: { readonly parts: number; readonly claims: readonly string[] };
}

/** Whether two cases begin with the same `count` parts. */
function sameParts(a: SubjectCase, b: SubjectCase, count: number): boolean {
  if (a.parts.length < count || b.parts.length < count) return false;
  return a.parts.slice(0, count).every((p, i) => JSON.stringify(p) === JSON.stringify(b.parts[i]));
}

/**
 * In how many ways (0, 1 or 2 meaning "several") `text` splits into the parts of case `c`,
 * each value a non-empty run of characters it may hold.
 */
function countParses(text: string, c: SubjectCase, spec: (claim: string) => ClaimSpec): number {
  const t = Array.from(text);
  const parts = c.parts.map((p): { lit: string[] } | { excludes: string } =>
    typeof p === "string"
      ? { lit: Array.from(p) }
      : { excludes: "claim" in p ? spec(p.claim).excludes : p.excludes },
  );
  const memo = new Map<string, number>();
  const ways = (i: number, pj: number, inValue: boolean): number => {
    const key = `${i},${pj},${inValue}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const part = parts[pj];
    let n = 0;
    if (!part) n = i === t.length ? 1 : 0;
    else if ("lit" in part)
      n =
        t.slice(i, i + part.lit.length).join("") === part.lit.join("")
          ? ways(i + part.lit.length, pj + 1, false)
          : 0;
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
