import { globCovers, globMatch, globsIntersect, hasWildcards } from "./glob";

/**
 * What a selector demands of one claim. `oneOf` always holds two or more sorted, distinct
 * values and `pattern` always holds a wildcard: `normalizeMatcher` folds the other forms
 * into `exact`.
 */
export type Matcher =
  | { readonly kind: "exact"; readonly value: string }
  | { readonly kind: "oneOf"; readonly values: readonly string[] }
  | { readonly kind: "pattern"; readonly pattern: string }
  | { readonly kind: "absent" };

/** How the document writes a matcher: a plain string is exact. */
export type MatcherInput =
  | string
  | { readonly oneOf: readonly string[] }
  | { readonly pattern: string }
  | { readonly absent: true };

export function normalizeMatcher(input: MatcherInput): Matcher {
  if (typeof input === "string") return { kind: "exact", value: input };
  if ("absent" in input) return { kind: "absent" };
  if ("pattern" in input) {
    return hasWildcards(input.pattern)
      ? { kind: "pattern", pattern: input.pattern }
      : { kind: "exact", value: input.pattern };
  }
  const values = [...new Set(input.oneOf)].sort();
  return values.length === 1 ? { kind: "exact", value: values[0]! } : { kind: "oneOf", values };
}

/** The concrete values a matcher allows, when it allows finitely many. */
export function finiteValues(m: Matcher): readonly string[] | undefined {
  if (m.kind === "exact") return [m.value];
  if (m.kind === "oneOf") return m.values;
  return undefined;
}

/** Whether a claim value (undefined: the claim is not in the token) satisfies the matcher. */
export function matches(m: Matcher, value: string | undefined): boolean {
  switch (m.kind) {
    case "absent":
      return value === undefined;
    case "exact":
      return value === m.value;
    case "oneOf":
      return value !== undefined && m.values.includes(value);
    case "pattern":
      return value !== undefined && globMatch(m.pattern, value);
  }
}

/**
 * A constraint a subject template puts on a claim to tell its cases apart. Internal: the
 * document only has matchers.
 */
export type Guard =
  | { readonly kind: "present" }
  | { readonly kind: "absent" }
  | { readonly kind: "in"; readonly values: readonly string[] }
  | { readonly kind: "notIn"; readonly values: readonly string[] }
  | { readonly kind: "pattern"; readonly pattern: string };

/** Whether some value (or the claim's absence) satisfies both the matcher and the guard. */
export function compatible(m: Matcher, g: Guard): boolean {
  if (m.kind === "absent") return g.kind === "absent" || g.kind === "notIn";
  if (g.kind === "absent") return false;
  const values = finiteValues(m);
  if (values) return values.some((v) => guardAllows(g, v));
  const pattern = (m as { pattern: string }).pattern;
  switch (g.kind) {
    case "present":
      return true;
    case "in":
      return g.values.some((v) => globMatch(pattern, v));
    case "notIn":
      // a pattern with a wildcard matches infinitely many values, so finitely many exclusions leave some
      return true;
    case "pattern":
      return globsIntersect(pattern, g.pattern);
  }
}

/** Whether every claim state the guard allows satisfies the matcher (the guard makes it redundant). */
export function impliedBy(m: Matcher, g: Guard): boolean {
  switch (g.kind) {
    case "absent":
      return m.kind === "absent";
    case "present":
      return m.kind === "pattern" && m.pattern === "*";
    case "in":
      return g.values.every((v) => matches(m, v));
    case "notIn":
      return false;
    case "pattern":
      return m.kind === "pattern" && globCovers(m.pattern, g.pattern);
  }
}

/** Whether a claim's state (undefined: not in the token) satisfies a guard. */
export function guardHolds(g: Guard, value: string | undefined): boolean {
  if (value === undefined) return g.kind === "absent" || g.kind === "notIn";
  return guardAllows(g, value);
}

function guardAllows(g: Guard, value: string): boolean {
  switch (g.kind) {
    case "present":
      return true;
    case "absent":
      return false;
    case "in":
      return g.values.includes(value);
    case "notIn":
      return !g.values.includes(value);
    case "pattern":
      return globMatch(g.pattern, value);
  }
}

/** A short rendering for messages and the human plan: `= "x"`, `in ["a","b"]`, `like "v*"`, `absent`. */
export function describeMatcher(m: Matcher): string {
  switch (m.kind) {
    case "exact":
      return `= ${JSON.stringify(m.value)}`;
    case "oneOf":
      return `in [${m.values.map((v) => JSON.stringify(v)).join(", ")}]`;
    case "pattern":
      return `like ${JSON.stringify(m.pattern)}`;
    case "absent":
      return "absent";
  }
}

/** `repository = "acme/api" and ref like "refs/tags/v*"`, for messages. */
export function describeSelector(claims: ReadonlyMap<string, Matcher>): string {
  return [...claims].map(([k, m]) => `${k} ${describeMatcher(m)}`).join(" and ");
}
