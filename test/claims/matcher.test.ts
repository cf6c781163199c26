import { strict as assert } from "node:assert";
import type { Guard, Matcher, MatcherInput } from "../../lib/claims/matcher";
import { compatible, impliedBy, matches, normalizeMatcher } from "../../lib/claims/matcher";

const exact = (value: string): Matcher => ({ kind: "exact", value });
const oneOf = (...values: string[]): Matcher => ({ kind: "oneOf", values });
const pattern = (p: string): Matcher => ({ kind: "pattern", pattern: p });
const absent: Matcher = { kind: "absent" };

const present: Guard = { kind: "present" };
const gAbsent: Guard = { kind: "absent" };
const inG = (...values: string[]): Guard => ({ kind: "in", values });
const notIn = (...values: string[]): Guard => ({ kind: "notIn", values });
const like = (p: string): Guard => ({ kind: "pattern", pattern: p });

const show = (x: Matcher | Guard) => JSON.stringify(x);

describe("matcher", () => {
  it("normalizes every input form", () => {
    const cases: [MatcherInput, Matcher][] = [
      ["main", exact("main")],
      ["v*", exact("v*")], // a plain string is exact, wildcards included
      [{ oneOf: ["b", "a", "b", "c"] }, oneOf("a", "b", "c")],
      [{ oneOf: ["x"] }, exact("x")],
      [{ oneOf: ["x", "x"] }, exact("x")],
      [{ oneOf: ["é", "z", "B", "a"] }, oneOf("B", "a", "z", "é")], // code unit order
      [{ pattern: "refs/heads/main" }, exact("refs/heads/main")],
      [{ pattern: "refs/tags/v*" }, pattern("refs/tags/v*")],
      [{ pattern: "v?" }, pattern("v?")],
      [{ absent: true }, absent],
    ];
    for (const [input, expected] of cases) {
      assert.deepStrictEqual(normalizeMatcher(input), expected, JSON.stringify(input));
    }
  });

  it("matches values and the claim's absence by kind", () => {
    const cases: [Matcher, (string | undefined)[], (string | undefined)[]][] = [
      [exact("main"), ["main"], ["Main", "main ", "", undefined]],
      [exact("v*"), ["v*"], ["v1", undefined]],
      [oneOf("a", "b"), ["a", "b"], ["c", "ab", "", undefined]],
      [pattern("v*"), ["v", "v1", "v:/x"], ["1v", "", undefined]],
      [pattern("*"), ["", "x"], [undefined]],
      [pattern("?"), ["😀", "é"], ["", "ab", undefined]],
      [absent, [undefined], ["", "x"]],
    ];
    for (const [m, yes, no] of cases) {
      for (const v of yes) assert.equal(matches(m, v), true, `${show(m)} ${v}`);
      for (const v of no) assert.equal(matches(m, v), false, `${show(m)} ${String(v)}`);
    }
  });

  /** [matcher, guard, compatible, impliedBy] for every guard kind against every matcher kind. */
  const table: [Matcher, Guard, boolean, boolean][] = [
    // present: any value
    [exact("x"), present, true, false],
    [oneOf("x", "y"), present, true, false],
    [pattern("v*"), present, true, false],
    [pattern("*"), present, true, true],
    [absent, present, false, false],
    // absent
    [exact("x"), gAbsent, false, false],
    [oneOf("x", "y"), gAbsent, false, false],
    [pattern("*"), gAbsent, false, false],
    [absent, gAbsent, true, true],
    // in
    [exact("x"), inG("x", "y"), true, false],
    [exact("z"), inG("x", "y"), false, false],
    [exact("x"), inG("x"), true, true],
    [oneOf("x", "y"), inG("x"), true, true],
    [oneOf("x", "y"), inG("x", "z"), true, false],
    [oneOf("x", "y"), inG("y", "x"), true, true],
    [oneOf("x", "y"), inG("z"), false, false],
    [pattern("x*"), inG("xa", "xb"), true, true],
    [pattern("x*"), inG("xa", "y"), true, false],
    [pattern("x*"), inG("y"), false, false],
    [absent, inG("x"), false, false],
    // notIn: the claim's absence satisfies it too, so nothing but absence is ever implied
    [exact("x"), notIn("x"), false, false],
    [exact("x"), notIn("y"), true, false],
    [oneOf("x", "y"), notIn("x"), true, false],
    [oneOf("x", "y"), notIn("x", "y"), false, false],
    [pattern("x?"), notIn("xa", "xb"), true, false],
    [pattern("*"), notIn("x"), true, false],
    [absent, notIn("x"), true, false],
    // pattern
    [exact("refs/pull/1/merge"), like("refs/pull/*"), true, false],
    [exact("refs/heads/main"), like("refs/pull/*"), false, false],
    [oneOf("refs/heads/a", "refs/pull/1"), like("refs/pull/*"), true, false],
    [oneOf("refs/heads/a", "refs/heads/b"), like("refs/pull/*"), false, false],
    [pattern("refs/*"), like("refs/pull/*"), true, true],
    [pattern("*"), like("refs/pull/*"), true, true],
    [pattern("refs/pull/*"), like("refs/pull/*"), true, true],
    [pattern("refs/pull/1*"), like("refs/pull/*"), true, false],
    [pattern("refs/heads/*"), like("refs/pull/*"), false, false],
    [pattern("*/merge"), like("refs/pull/*"), true, false],
    [absent, like("refs/pull/*"), false, false],
  ];

  it("tells whether a matcher and a guard can both hold", () => {
    for (const [m, g, expected] of table) {
      assert.equal(compatible(m, g), expected, `${show(m)} ${show(g)}`);
    }
  });

  it("tells whether a guard makes a matcher redundant", () => {
    for (const [m, g, , expected] of table) {
      assert.equal(impliedBy(m, g), expected, `${show(m)} ${show(g)}`);
    }
  });

  it("never says implied without compatible", () => {
    for (const [m, g] of table) {
      if (impliedBy(m, g)) assert.ok(compatible(m, g), `${show(m)} ${show(g)}`);
    }
  });
});
