import { strict as assert } from "node:assert";
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import fc from "fast-check";
import { celString } from "../../lib/backends/gcp/cel";
import { globCovers, globMatch, globsIntersect, globToRegex } from "../../lib/claims/glob";

/** Every string over `alphabet` of length 0..max, shortest first. */
function allStrings(alphabet: readonly string[], max: number): string[] {
  const out = [""];
  let layer = [""];
  for (let n = 1; n <= max; n++) {
    layer = layer.flatMap((s) => alphabet.map((c) => s + c));
    out.push(...layer);
  }
  return out;
}

/**
 * The brute-force universe: every string over {a,b,c} of length ≤ 8. For patterns over
 * {a,b,*,?} of length ≤ 4 it is complete: a shortest common string spends each character on a
 * non-`*` token of p or of q, so it has at most len(p) + len(q) ≤ 8 characters, and a character
 * not fixed by a literal can be any letter, so {a,b} plus the fresh "c" suffices.
 */
const UNIVERSE = allStrings(["a", "b", "c"], 8);

/** Which strings of UNIVERSE a pattern matches, as a bitset; memoised (341 patterns at most). */
const languages = new Map<string, Uint32Array>();
function language(pattern: string): Uint32Array {
  let bits = languages.get(pattern);
  if (!bits) {
    bits = new Uint32Array(Math.ceil(UNIVERSE.length / 32));
    UNIVERSE.forEach((s, i) => {
      if (globMatch(pattern, s)) bits![i >>> 5]! |= 1 << (i & 31);
    });
    languages.set(pattern, bits);
  }
  return bits;
}

const smallPattern = fc
  .array(fc.constantFrom("a", "b", "*", "?"), { maxLength: 4 })
  .map((cs) => cs.join(""));

/** Characters that stress every layer: regex syntax, separators, newline, non-ASCII, astral. */
const TRICKY = ["a", "b", ".", "\\", "^", "$", "|", "+", "(", ")", "[", "]", "{", "}", "-"];
const TRICKY_MORE = [...TRICKY, ":", "/", "\n", "\r", "é", "😀", "'", '"', "#", " "];

const trickyPattern = fc
  .array(fc.constantFrom(...TRICKY_MORE, "*", "?", "*"), { maxLength: 8 })
  .map((cs) => cs.join(""));
const trickyChar = fc.constantFrom(...TRICKY_MORE, "*", "?");

/** A pattern and a string: half the time an instance of the pattern (so matches are common). */
const patternAndString = trickyPattern.chain((p) =>
  fc.tuple(
    fc.constant(p),
    fc.oneof(
      fc.array(trickyChar, { maxLength: 10 }).map((cs) => cs.join("")),
      fc
        .tuple(
          ...Array.from(p).map((ch) =>
            ch === "*"
              ? fc.array(trickyChar, { maxLength: 3 }).map((cs) => cs.join(""))
              : ch === "?"
                ? trickyChar
                : fc.constant(ch),
          ),
        )
        .map((parts: string[]) => parts.join("")),
    ),
  ),
);

describe("glob", () => {
  describe("globMatch", () => {
    const cases: [pattern: string, value: string, expected: boolean][] = [
      // `*`: any run, including none and including separators
      ["*", "", true],
      ["*", "anything:at/all", true],
      ["a*", "a", true],
      ["a*b", "ab", true],
      ["a*b", "a:x/y:b", true],
      ["a*b", "a:x/y:bc", false],
      ["*:*", "repo:acme", true],
      ["*:*", "repo", false],
      ["**", "", true],
      ["a*a*a", "aaa", true],
      ["a*a*a", "aa", false],
      ["*ab*ab", "xabyabab", true],
      ["*ab", "aab", true],
      // `?`: exactly one code point
      ["?", "", false],
      ["?", "a", true],
      ["?", "ab", false],
      ["?", ":", true],
      ["?", "/", true],
      ["?", "é", true],
      ["?", "e\u0301", false], // e + combining acute: two code points
      ["?", "😀", true], // one code point, two UTF-16 units
      ["??", "😀", false],
      ["a?c", "a😀c", true],
      ["*?", "", false],
      ["*?", "😀", true],
      // everything else is literal, regex syntax included
      [".", "a", false],
      [".", ".", true],
      ["a+", "aa", false],
      ["a+", "a+", true],
      ["[ab]", "a", false],
      ["[ab]", "[ab]", true],
      ["^a$", "^a$", true],
      ["(a|b)", "a", false],
      ["(a|b)", "(a|b)", true],
      ["a{2}", "aa", false],
      ["\\d", "1", false],
      ["\\d", "\\d", true],
      // no escape syntax: a backslash is a literal and does not quote the wildcard after it
      ["\\*", "\\", true],
      ["\\*", "\\anything", true],
      ["\\*", "*", false],
      ["\\?", "\\x", true],
      ["\\?", "?", false],
      // case-sensitive, whole-string
      ["Main", "main", false],
      ["main", "xmainx", false],
      ["", "", true],
      ["", "a", false],
    ];
    for (const [pattern, value, expected] of cases) {
      it(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(value)}`, () => {
        assert.equal(globMatch(pattern, value), expected);
      });
    }
  });

  describe("globsIntersect", () => {
    it("agrees with brute force over {a,b,*,?} patterns of length ≤ 4", () => {
      fc.assert(
        fc.property(smallPattern, smallPattern, (p, q) => {
          const [x, y] = [language(p), language(q)];
          const brute = x.some((w, i) => (w & y[i]!) !== 0);
          assert.equal(globsIntersect(p, q), brute, JSON.stringify({ p, q }));
          assert.equal(globsIntersect(q, p), brute, "symmetric");
        }),
        { numRuns: 3000 },
      );
    });

    const cases: [string, string, boolean][] = [
      ["a*", "*b", true],
      ["a*", "b*", false],
      ["*a*", "*b*", true],
      ["??", "???", false],
      ["?*", "", false],
      ["*", "", true],
      ["?", "😀", true],
      ["??", "😀", false],
      ["ref:*", "environment:*", false],
    ];
    for (const [p, q, expected] of cases) {
      it(`${JSON.stringify(p)} and ${JSON.stringify(q)}: ${expected}`, () => {
        assert.equal(globsIntersect(p, q), expected);
      });
    }
  });

  describe("globToRegex", () => {
    it("means what globMatch means, read by JavaScript (flags s and u)", () => {
      fc.assert(
        fc.property(patternAndString, ([p, s]) => {
          const re = globToRegex(p);
          assert.ok(re.startsWith("(?s)"), re);
          assert.equal(
            new RegExp(re.slice(4), "su").test(s),
            globMatch(p, s),
            JSON.stringify({ p, s, re }),
          );
        }),
        { numRuns: 2000 },
      );
    });

    /**
     * RE2 through cel-es (@bufbuild/re2, a port of RE2/J): shows the output parses as RE2,
     * (?s) included, and that RE2's `.` is one code point. Does NOT prove GCP's own CEL runtime
     * agrees, only the reference implementation the tests use elsewhere.
     */
    it("means what globMatch means in CEL's matches() (RE2)", () => {
      const env = celEnv({ funcs: strings });
      let matched = 0;
      fc.assert(
        fc.property(patternAndString, ([p, s]) => {
          const src = `${celString(s)}.matches(${celString(globToRegex(p))})`;
          const result = plan(env, parse(src))({});
          assert.ok(!isCelError(result), `${src}: ${isCelError(result) ? result.message : ""}`);
          assert.equal(result, globMatch(p, s), src);
          if (result === true) matched++;
        }),
        { numRuns: 400 },
      );
      assert.ok(matched > 50, `too few matching cases: ${matched}`);
    });

    it("escapes every regex metacharacter and nothing else", () => {
      assert.equal(globToRegex("a.b*c?"), "(?s)^a\\.b.*c.$");
      assert.equal(globToRegex("\\^$.|+()[]{}"), "(?s)^\\\\\\^\\$\\.\\|\\+\\(\\)\\[\\]\\{\\}$");
      assert.equal(globToRegex("repo:acme/api-x"), "(?s)^repo:acme/api-x$");
      assert.equal(globToRegex(""), "(?s)^$");
    });
  });

  describe("globCovers", () => {
    /** Sound against the brute-force universe (complete for containment only up to its size). */
    it("is sound: when it says inner ⊆ outer, every string matching inner matches outer", () => {
      let claimed = 0;
      fc.assert(
        fc.property(smallPattern, smallPattern, (outer, inner) => {
          if (!globCovers(outer, inner)) return;
          claimed++;
          const [o, i] = [language(outer), language(inner)];
          assert.ok(
            i.every((w, k) => (w & ~o[k]!) === 0),
            JSON.stringify({ outer, inner }),
          );
        }),
        { numRuns: 3000 },
      );
      assert.ok(claimed > 100, `too few covering pairs: ${claimed}`);
    });

    const cases: [outer: string, inner: string, expected: boolean][] = [
      ["*", "anything*", true],
      ["refs/tags/*", "refs/tags/v*", true],
      ["refs/tags/*", "refs/tags/v?", true],
      ["refs/tags/*", "refs/tags/v1", true],
      ["refs/tags/*", "refs/*", false],
      ["refs/tags/v*", "refs/tags/*", false],
      ["a?", "a?", true],
      ["a?", "ab", true],
      ["a?", "a*", false],
      ["abc", "ab?", false],
    ];
    for (const [outer, inner, expected] of cases) {
      it(`${JSON.stringify(outer)} covers ${JSON.stringify(inner)}: ${expected}`, () => {
        assert.equal(globCovers(outer, inner), expected);
      });
    }
  });
});
