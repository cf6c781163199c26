import type { Matcher, Selector } from "../intent/document";
import { omit } from "../internal/own";

/**
 * The selectors in one order and shape, so that drafts of the same trust from different clouds
 * compare equal: claims sorted, `oneOf` values sorted, selectors that differ in one claim's
 * exact values joined into a `oneOf`, duplicates dropped, selectors sorted.
 */
export function canonicalSelectors(selectors: readonly Selector[]): Selector[] {
  let list = selectors.map(canonical);
  for (let joined = true; joined;) {
    joined = false;
    outer: for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const union = joinValues(list[i]!, list[j]!);
        if (union) {
          list = [...list.slice(0, i), union, ...list.slice(i + 1, j), ...list.slice(j + 1)];
          joined = true;
          break outer;
        }
      }
    }
  }
  const unique = new Map(list.map((s) => [JSON.stringify(s), s]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
}

/**
 * Selectors that differ only in one claim, present with any value in one and absent in the
 * other, as one selector without that claim (`environment: "*"` or absent → any). A rewrite to
 * try: `import` keeps it only where the proof shows no token decided differently.
 */
export function withoutPresenceSplits(selectors: readonly Selector[]): Selector[] {
  const list = [...selectors];
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < list.length; j++) {
      const claim = i === j ? undefined : presenceSplit(list[i]!, list[j]!);
      if (claim === undefined) continue;
      const rest = omit(list[i]!, claim);
      list.splice(Math.max(i, j), 1);
      list.splice(Math.min(i, j), 1, rest);
      return withoutPresenceSplits(list);
    }
  }
  return canonicalSelectors(list);
}

function presenceSplit(a: Selector, b: Selector): string | undefined {
  const differing = differences(a, b);
  if (differing.length !== 1) return undefined;
  const claim = differing[0]!;
  const any = (m: Matcher | undefined) =>
    typeof m === "object" && "pattern" in m && m.pattern === "*";
  const absent = (m: Matcher | undefined) => typeof m === "object" && "absent" in m;
  return any(a[claim]) && absent(b[claim]) ? claim : undefined;
}

function joinValues(a: Selector, b: Selector): Selector | undefined {
  const differing = differences(a, b);
  if (differing.length !== 1) return undefined;
  const claim = differing[0]!;
  const values = (m: Matcher | undefined) =>
    typeof m === "string" ? [m] : m && typeof m === "object" && "oneOf" in m ? m.oneOf : undefined;
  const x = values(a[claim]);
  const y = values(b[claim]);
  if (!x || !y) return undefined;
  const all = [...new Set([...x, ...y])].sort();
  return canonical({ ...a, [claim]: all.length === 1 ? all[0]! : { oneOf: all } });
}

/** The claims two selectors differ in (a claim one lacks counts). */
function differences(a: Selector, b: Selector): string[] {
  const claims = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...claims].filter((c) => JSON.stringify(a[c]) !== JSON.stringify(b[c]));
}

function canonical(selector: Selector): Selector {
  return Object.fromEntries(
    Object.entries(selector)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([claim, m]) => [
        claim,
        typeof m === "object" && "oneOf" in m ? { oneOf: [...new Set(m.oneOf)].sort() } : m,
      ]),
  );
}
