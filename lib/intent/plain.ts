import type { Issue, Path } from "../errors";
import { error } from "../errors";

/** Intent documents are a few levels deep; deeper input is a mistake or an attack. */
export const MAX_DEPTH = 256;
/** Values a document may hold, counting each use of a shared one: far beyond any real intent. */
const MAX_VALUES = 1_000_000;

/**
 * Characters no document string may hold, wherever it is: C1 controls, the bidirectional
 * overrides and isolates that make text read otherwise than it is stored, the line and paragraph
 * separators, and U+FEFF (Terraform keeps it in HCL and drops it in JSON).
 */

const INVISIBLE = /[\u0080-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

/** A UTF-16 surrogate without its pair: no UTF-8 file, JSON parser or cloud API can carry it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A copy of `input` as plain JSON data, or the issues that stop it being one: values of other
 * types (bigint, functions, dates, buffers, sets, non-finite numbers), a value that contains
 * itself (a recursive YAML alias), getters or proxies that throw, a key named `__proto__`,
 * strings holding an unpaired surrogate or an invisible control character, and nesting deeper than
 * MAX_DEPTH. Never throws; never reads a property twice, so what is checked is what is copied.
 */
export function plainData(
  input: unknown,
  of: "document" | "token" = "document",
): { data?: unknown; issues: Issue[] } {
  // a token's text is decided, not written: only what no parser can carry is refused there
  const stringProblem = of === "document" ? documentText : tokenText;
  const issues: Issue[] = [];
  interface Frame {
    readonly value: unknown;
    readonly path: Path;
    readonly ancestors: ReadonlySet<object>;
    readonly put: (copy: unknown) => void;
  }
  let root: unknown;
  const stack: Frame[] = [{ value: input, path: [], ancestors: new Set(), put: (c) => (root = c) }];
  let budget = MAX_VALUES;
  // a loop, not recursion: library callers may nest deeper than the stack
  while (stack.length) {
    if (--budget < 0) {
      issues.push(
        error(
          "invalid_value",
          [],
          `the document holds over ${MAX_VALUES} values; intent documents hold a few thousand`,
        ),
      );
      break;
    }
    const { value, path, ancestors, put } = stack.pop()!;
    const problem = (why: string) => issues.push(error("invalid_value", path, why));
    if (path.length > MAX_DEPTH) {
      // pointed at where the descent starts: 257 steps of a path help nobody
      issues.push(
        error(
          "invalid_value",
          path.slice(0, 4),
          `the data nests deeper than ${MAX_DEPTH} levels below here; intent documents and stack outputs need a few`,
        ),
      );
      break;
    }
    if (value === null || typeof value === "boolean") put(value);
    else if (typeof value === "string") {
      const bad = stringProblem(value);
      if (bad) problem(`the text ${bad}`);
      else put(value);
    } else if (typeof value === "number") {
      if (Number.isFinite(value)) put(value);
      else
        problem(`${String(value)} is not a JSON number (YAML's .inf and .nan have no JSON form)`);
    } else if (typeof value !== "object") {
      problem(
        `a ${typeof value} is not JSON data; write a string, number, boolean, list or mapping`,
      );
    } else if (ancestors.has(value)) {
      problem("the value contains itself (a recursive YAML alias?); write the data out");
    } else {
      const entries = readEntries(value);
      if ("failure" in entries) {
        problem(entries.failure);
        continue;
      }
      const inside = new Set(ancestors).add(value);
      const copy: unknown[] | Record<string, unknown> = entries.list ? [] : {};
      put(copy);
      // pushed last first, so that keys are copied (and issues found) in the document's order
      for (const [key, item] of entries.items.reverse()) {
        const at = [...path, key];
        if (key === "__proto__") {
          issues.push(
            error(
              "invalid_name",
              at,
              'the name "__proto__" is not allowed: JavaScript reads it as an object\'s prototype, so it would be dropped without a word; rename it',
            ),
          );
          continue;
        }
        const badKey = typeof key === "string" ? stringProblem(key) : undefined;
        if (badKey) {
          issues.push(error("invalid_value", at, `the key ${badKey}`));
          continue;
        }
        // undefined is how JavaScript leaves a key out: it is absent, as in JSON
        if (item === undefined && !entries.list) continue;
        stack.push({
          value: item,
          path: at,
          ancestors: inside,
          put: (c) =>
            Object.defineProperty(copy, key, {
              value: c,
              enumerable: true,
              writable: true,
              configurable: true,
            }),
        });
      }
    }
  }
  issues.sort((a, b) => (JSON.stringify(a.path) < JSON.stringify(b.path) ? -1 : 1));
  return issues.length ? { issues } : { data: root, issues };
}

/** Why a string cannot be a token's text; undefined when it can. */
function tokenText(text: string): string | undefined {
  const lone = LONE_SURROGATE.exec(text);
  return lone
    ? `holds an unpaired UTF-16 surrogate (${codePoint(lone[0])}), which is not text`
    : undefined;
}

/** Why a string is not safe document text; undefined when it is. */
function documentText(text: string): string | undefined {
  const lone = tokenText(text);
  if (lone) return lone;
  const hidden = INVISIBLE.exec(text);
  if (hidden)
    return `holds the invisible character ${codePoint(hidden[0])}, which would show differently from what it means; remove it`;
  return undefined;
}

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The entries of a list or a plain object, read once; or why they cannot be read. */
function readEntries(
  value: object,
): { list: boolean; items: [string | number, unknown][] } | { failure: string } {
  try {
    if (Array.isArray(value)) {
      const items: [number, unknown][] = [];
      for (let i = 0; i < value.length; i++) items.push([i, (value as unknown[])[i]]);
      return { list: true, items };
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as { constructor?: { name?: unknown } }).constructor?.name;
      return {
        failure: `${typeof kind === "string" && kind ? `a ${kind}` : "this object"} is not JSON data; write a string, number, boolean, list or mapping`,
      };
    }
    const items: [string, unknown][] = Object.keys(value).map((k) => [
      k,
      (value as Record<string, unknown>)[k],
    ]);
    return { list: false, items };
  } catch (e) {
    return {
      failure: `the value could not be read: ${e instanceof Error ? e.message : "it threw"}`,
    };
  }
}
