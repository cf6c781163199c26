/**
 * The one glob dialect of the intent document: `*` is any run of characters (also none),
 * `?` is exactly one character, everything else is literal. There is no escape. Characters
 * are Unicode code points, so `?` matches "é" and "😀" alike; every backend honours this.
 */

export function hasWildcards(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

/** The literal text before the first wildcard. */
export function literalPrefix(pattern: string): string {
  const at = pattern.search(/[*?]/);
  return at === -1 ? pattern : pattern.slice(0, at);
}

/** Whether `value` is in the language of `pattern`. */
export function globMatch(pattern: string, value: string): boolean {
  const p = Array.from(pattern);
  const v = Array.from(value);
  // classic greedy matcher with one backtrack point for the last `*`
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === "?" || (p[pi] !== "*" && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      mark = vi;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/** Whether some string matches both patterns. */
export function globsIntersect(a: string, b: string): boolean {
  const x = Array.from(a);
  const y = Array.from(b);
  const seen = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const known = seen.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === x.length && j === y.length) result = true;
    else if (x[i] === "*") result = go(i + 1, j) || (j < y.length && go(i, j + 1));
    else if (y[j] === "*") result = go(i, j + 1) || (i < x.length && go(i + 1, j));
    else if (i === x.length || j === y.length) result = false;
    else result = (x[i] === "?" || y[j] === "?" || x[i] === y[j]) && go(i + 1, j + 1);
    seen.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** Whether every string that `inner` matches is also matched by `outer`. */
export function globCovers(outer: string, inner: string): boolean {
  if (!hasWildcards(inner)) return globMatch(outer, inner);
  if (outer === "*" || outer === inner) return true;
  // sound and sufficient for the guards trustplane uses: a literal prefix followed by `*`
  if (/^[^*?]*\*$/.test(outer)) return literalPrefix(inner).startsWith(outer.slice(0, -1));
  return false;
}

/** An anchored regular expression with the same meaning, in the syntax RE2 and JavaScript share. */
export function globToRegex(pattern: string): string {
  return `(?s)^${regexBody(pattern)}$`;
}

/**
 * The glob as the inside of a regular expression: `*` as `.*`, `?` as `.` (one code point),
 * every operator escaped, and the characters of `alsoEscape` (a delimiter such as '/').
 */
export function regexBody(pattern: string, alsoEscape = ""): string {
  let out = "";
  for (const ch of Array.from(pattern)) {
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else if (/[\\^$.|+()[\]{}]/.test(ch) || alsoEscape.includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
