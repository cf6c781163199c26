import { parse } from "@bufbuild/cel";
import type { Matcher, Selector } from "../../intent/document";

type Expr = ReturnType<typeof parse>["expr"];

/** More selectors than this from one condition is a condition to rewrite, not to import. */
const MAX_SELECTORS = 64;

/** What one comparison in a condition demands of one claim. */
type Demand = Matcher | { readonly present: true };
type Conjunction = readonly (readonly [string, Demand])[];

/**
 * Reads an attribute condition back into selectors (OR'ed) over the token's claims: the forms
 * trustplane writes and the usual hand-written ones — `&&`, `||`, `!`-free comparisons of a
 * claim (`assertion.x`, `assertion['x']`, or an attribute the mapping copies from one) with
 * `==`, `in [...]`, `startsWith`, `endsWith`, `contains`, `matches` of a glob-shaped regex,
 * `type(x) == string`, `has()` / `'x' in assertion` and their negation. Anything else gives the reason it cannot be read; never a guess.
 */
export function conditionSelectors(
  condition: string,
  mapping: Readonly<Record<string, string>>,
): Selector[] | string {
  let expr: Expr | undefined;
  try {
    expr = parse(condition).expr;
  } catch (e) {
    return `its condition does not parse as CEL (${(e as Error).message.split("\n")[0]})`;
  }
  if (!expr) return "its condition is empty";
  const dnf = disjunction(expr, mapping);
  if (typeof dnf === "string") return dnf;
  const selectors: Selector[] = [];
  for (const conjunction of dnf) {
    const selector = merge(conjunction);
    if (selector === null) continue; // contradictory: no token meets it
    if (typeof selector === "string") return selector;
    selectors.push(selector);
  }
  return selectors;
}

/** The expression as an OR of ANDs of comparisons, or why it is not one. */
function disjunction(e: Expr, mapping: Readonly<Record<string, string>>): Conjunction[] | string {
  const call = e.exprKind.case === "callExpr" ? e.exprKind.value : undefined;
  if (call?.function === "_||_") {
    const parts = call.args.map((a) => disjunction(a, mapping));
    const failed = parts.find((p) => typeof p === "string");
    if (failed !== undefined) return failed;
    return (parts as Conjunction[][]).flat();
  }
  if (call?.function === "_&&_") {
    let out: Conjunction[] = [[]];
    for (const arg of call.args) {
      const part = disjunction(arg, mapping);
      if (typeof part === "string") return part;
      out = out.flatMap((left) => part.map((right) => [...left, ...right]));
      if (out.length > MAX_SELECTORS)
        return `its condition makes more than ${MAX_SELECTORS} selectors`;
    }
    return out;
  }
  if (e.exprKind.case === "constExpr" && e.exprKind.value.constantKind.case === "boolValue")
    return e.exprKind.value.constantKind.value ? [[]] : [];
  const comparison = compare(e, mapping);
  return typeof comparison === "string" ? comparison : [[comparison]];
}

/** One comparison of a claim with constants. */
function compare(
  e: Expr,
  mapping: Readonly<Record<string, string>>,
): readonly [string, Demand] | string {
  const unread = `its condition uses ${describe(e)}, which import does not read`;
  const tested = presence(e, mapping);
  if (tested) return [tested, { present: true }];
  if (e.exprKind.case !== "callExpr") return unread;
  const { function: fn, target, args } = e.exprKind.value;
  if (fn === "!_") {
    const absent = args[0] && presence(args[0], mapping);
    return absent ? [absent, { absent: true }] : unread;
  }
  if (fn === "_==_") {
    const [a, b] = args;
    // `type(claim) == string`: the claim is a string, any string (trustplane's `pattern: "*"`)
    const typed = stringTyped(a, b, mapping) ?? stringTyped(b, a, mapping);
    if (typed) return [typed, { pattern: "*" }];
    const left = a && claimOf(a, mapping);
    const right = b && claimOf(b, mapping);
    const claim = left ?? right;
    const value = left ? text(b) : text(a);
    return claim && value !== undefined ? [claim, value] : unread;
  }
  if (fn === "@in") {
    const claim = args[0] && claimOf(args[0], mapping);
    const list =
      args[1]?.exprKind.case === "listExpr" ? args[1].exprKind.value.elements : undefined;
    const values = list?.map(text);
    if (!claim || !values || values.some((v) => v === undefined)) return unread;
    const unique = [...new Set(values as string[])];
    return [claim, unique.length === 1 ? unique[0]! : { oneOf: unique }];
  }
  const claim = target && claimOf(target, mapping);
  const value = text(args[0]);
  if (!claim || value === undefined) return unread;
  // a glob has no escapes: a prefix holding '*' or '?' cannot be written as one
  const literal = !/[*?]/.test(value);
  if (fn === "startsWith" && literal) return [claim, { pattern: `${value}*` }];
  if (fn === "endsWith" && literal) return [claim, { pattern: `*${value}` }];
  if (fn === "contains" && literal) return [claim, { pattern: `*${value}*` }];
  if (fn === "matches") {
    const glob = regexGlob(value);
    return glob === undefined ? unread : [claim, glob];
  }
  return unread;
}

/**
 * The claim an operand reads: `assertion.x`, `assertion['x']`, or a mapped attribute copying
 * one; `tested` for the operand of `has()`.
 */
function claimOf(
  e: Expr,
  mapping: Readonly<Record<string, string>>,
  tested = false,
): string | undefined {
  if (e.exprKind.case === "selectExpr" && e.exprKind.value.testOnly === tested) {
    const operand = e.exprKind.value.operand;
    const root = operand?.exprKind.case === "identExpr" ? operand.exprKind.value.name : undefined;
    if (root === "assertion") return e.exprKind.value.field;
    if (root === "attribute" || root === "google") {
      const source = mapping[`${root}.${e.exprKind.value.field}`];
      return source === undefined ? undefined : copiedClaim(source);
    }
    return undefined;
  }
  if (e.exprKind.case === "callExpr" && e.exprKind.value.function === "_[_]") {
    const [root, key] = e.exprKind.value.args;
    if (root?.exprKind.case === "identExpr" && root.exprKind.value.name === "assertion")
      return text(key);
  }
  return undefined;
}

/** The claim a mapping expression copies unchanged (`assertion.x`), if it does only that. */
function copiedClaim(source: string): string | undefined {
  return /^\s*assertion\.([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(source)?.[1];
}

/** The claim a presence test names: `has(assertion.x)` or `'x' in assertion`. */
function presence(e: Expr, mapping: Readonly<Record<string, string>>): string | undefined {
  if (e.exprKind.case === "selectExpr" && e.exprKind.value.testOnly)
    return claimOf(e, mapping, true);
  const call = e.exprKind.case === "callExpr" ? e.exprKind.value : undefined;
  const [key, root] = call?.function === "@in" ? call.args : [];
  return root?.exprKind.case === "identExpr" && root.exprKind.value.name === "assertion"
    ? text(key)
    : undefined;
}

/** The claim `e` is `type(claim)` of, when `other` is the type `string`. */
function stringTyped(
  e: Expr | undefined,
  other: Expr | undefined,
  mapping: Readonly<Record<string, string>>,
): string | undefined {
  const call = e?.exprKind.case === "callExpr" ? e.exprKind.value : undefined;
  const isString = other?.exprKind.case === "identExpr" && other.exprKind.value.name === "string";
  return call?.function === "type" && isString && call.args[0]
    ? claimOf(call.args[0], mapping)
    : undefined;
}

function text(e: Expr | undefined): string | undefined {
  return e?.exprKind.case === "constExpr" && e.exprKind.value.constantKind.case === "stringValue"
    ? e.exprKind.value.constantKind.value
    : undefined;
}

/** The glob a regex states, for the anchored `.*`/`.` forms trustplane and people write. */
function regexGlob(regex: string): Matcher | undefined {
  const body = /^(?:\(\?s\))?\^(.*)\$$/s.exec(regex)?.[1];
  if (body === undefined) return undefined;
  let glob = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === "\\") {
      const next = body[++i];
      // an escaped '*' or '?' is literal, which a glob cannot say
      if (next === undefined || !/[\\^$.|+()[\]{}/-]/.test(next)) return undefined;
      glob += next;
    } else if (ch === "." && body[i + 1] === "*") {
      glob += "*";
      i++;
    } else if (ch === ".") glob += "?";
    else if (/[\\^$|+()[\]{}*?]/.test(ch)) return undefined;
    else glob += ch;
  }
  return /[*?]/.test(glob) ? { pattern: glob } : glob;
}

/** A conjunction's demands as one selector; null when they contradict each other. */
function merge(conjunction: Conjunction): Selector | null | string {
  const demands = new Map<string, Demand[]>();
  for (const [claim, d] of conjunction) demands.set(claim, [...(demands.get(claim) ?? []), d]);
  const selector: Selector = {};
  for (const [claim, list] of demands) {
    const absent = list.some((d) => typeof d === "object" && "absent" in d);
    const present = list.some((d) => typeof d === "object" && "present" in d);
    const compared = list.filter(
      (d): d is Matcher => typeof d === "string" || !("present" in d || "absent" in d),
    );
    const matchers = [...new Map(compared.map((m) => [JSON.stringify(m), m])).values()];
    if (absent && (present || matchers.length)) return null;
    if (matchers.length > 1)
      return `its condition compares ${claim} several times in one alternative, which one selector cannot state`;
    selector[claim] = absent ? { absent: true } : (matchers[0] ?? { pattern: "*" });
  }
  return selector;
}

function describe(e: Expr): string {
  if (e.exprKind.case === "callExpr")
    return `the ${e.exprKind.value.function.replace(/_/g, " ").trim()} operation`;
  return `a ${e.exprKind.case ?? "missing"} expression`;
}
