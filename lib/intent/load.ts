import type { Node } from "yaml";
import {
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument as parseYaml,
} from "yaml";
import type { Issue, Path } from "../errors";
import { error, visible } from "../errors";
import type { Why } from "./syntax-errors";
import { Source, explain, notJsonTag } from "./syntax-errors";

/** An issue with the line and column of the place it points at, when the source is text. */
export type LocatedIssue = Issue & { readonly line?: number; readonly column?: number };

/** A parsed intent file: the plain data, and a way to find where a path was written. */
export interface LoadedText {
  readonly data?: unknown;
  /** `invalid_syntax` issues; when present, `data` is undefined. */
  readonly issues: readonly LocatedIssue[];
  readonly locate: (issue: Issue) => LocatedIssue;
}

/** Intent documents are a few levels deep; far deeper input only exhausts the parser's stack. */
const MAX_FLOW_DEPTH = 64;
const MAX_BLOCK_DEPTH = 256;

/**
 * Parses YAML or JSON text (JSON is YAML). Duplicate keys, tags that are not JSON data, `.inf`,
 * merge keys, runaway nesting and alias bombs are syntax errors, not silently resolved; a value
 * that contains itself is refused by `parseDocument`. Linear in the size of the text. A syntax
 * issue says what to change, then shows its line with a caret under the column.
 */
export function loadText(text: string): LoadedText {
  const unlocated = (i: Issue): LocatedIssue => i;
  const lines = new LineCounter();
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const { flow, block } = nestingDepth(text);
  if (flow > MAX_FLOW_DEPTH || block > MAX_BLOCK_DEPTH) {
    const message = `the file nests too deep (${flow > MAX_FLOW_DEPTH ? `${flow} levels of brackets` : `${block} levels of indentation`}); intent documents need a few levels`;
    return { issues: [error("invalid_syntax", [], message)], locate: unlocated };
  }
  // duplicate keys are found by `index` below: the parser's own check is quadratic
  const doc = parseYaml(text, {
    lineCounter: lines,
    uniqueKeys: false,
    prettyErrors: false,
    strict: true,
  });
  // one issue, the first in the text: after a mistake the parser's recovery is a guess, so the
  // errors it reports later (several for one tab) are mostly echoes of that mistake
  const first = [...doc.errors, ...doc.warnings].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (first) {
    const src = new Source(text);
    return { issues: [syntaxIssue(src, explain(src, first))], locate: unlocated };
  }
  const { places, problems: found } = index(doc.contents);
  if (found.length) {
    const src = new Source(text);
    return { issues: found.map((why) => syntaxIssue(src, why)), locate: unlocated };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      issues: [error("invalid_syntax", [], `the file cannot be read as data: ${message}`)],
      locate: unlocated,
    };
  }
  const locate = (issue: Issue): LocatedIssue => {
    // an unknown key is shown where the key is written, anything else where its value is
    const keyed =
      issue.code === "unknown_key" ? places.get(`${pathKey(issue.path)}#key`) : undefined;
    for (let n = issue.path.length; n >= 0; n--) {
      const offset = keyed ?? places.get(pathKey(issue.path.slice(0, n)));
      if (offset !== undefined) return { ...issue, ...at(offset) };
    }
    return issue;
  };
  return { data, issues: [], locate };
}

/**
 * An `invalid_syntax` issue at `offset`: "the file is not valid YAML or JSON: ", the sentence,
 * then its line of the text with a caret under the column.
 */
function syntaxIssue(src: Source, { why, offset }: Why): LocatedIssue {
  const line = src.lineOf(offset);
  const column = offset - src.start(line) + 1;
  const shown = excerpt(src.line(line), line, column);
  return {
    ...error("invalid_syntax", [], `the file is not valid YAML or JSON: ${why}\n${shown}`),
    line,
    column,
  };
}

/** Lines over this many characters are cut around the column, each cut marked with `…`. */
const EXCERPT_WIDTH = 100;

/**
 * `   7 | →environment: production` and a caret line under it. Tabs show as `→` and control
 * characters as their ␀-style symbols (one column each, so the caret lines up); other invisible
 * characters as `\u202e` escapes. Characters that take two columns (CJK) or none (combining
 * marks) still shift the caret.
 */
function excerpt(source: string, line: number, column: number): string {
  let [from, to] = [0, source.length];
  if (source.length > EXCERPT_WIDTH) {
    from = Math.max(0, Math.min(column - 1 - EXCERPT_WIDTH / 2, source.length - EXCERPT_WIDTH));
    to = from + EXCERPT_WIDTH;
    // never cut a surrogate pair in half
    if (/[\udc00-\udfff]/.test(source[from] ?? "")) from++;
    if (/[\ud800-\udbff]/.test(source[to - 1] ?? "")) to--;
  }
  const [before, after] = [from > 0 ? "…" : "", to < source.length ? "…" : ""];
  const pad = before.length + show(source.slice(from, Math.max(from, column - 1))).length;
  const gutter = String(line).padStart(4);
  const caret = `${" ".repeat(gutter.length)} | ${" ".repeat(pad)}^`;
  return `${gutter} | ${before}${show(source.slice(from, to))}${after}\n${caret}`;
}

/** `text` with tabs, control and invisible characters made visible, for an excerpt. */
function show(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (ch === "\t") out += "→";
    else if (code < 0x20) out += String.fromCharCode(0x2400 + code);
    else if (code === 0x7f) out += "␡";
    else out += visible(ch);
  }
  return out;
}

function pathKey(path: Path): string {
  return JSON.stringify(path);
}

/** The YAML tags of JSON data; any other (`!!set`, `!!binary`, `!!timestamp`…) is refused. */
const JSON_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`),
);

/**
 * Where each path's value (and each key) starts, and what in the text is not JSON data: keys
 * written twice in one mapping, tags other than JSON's, `.inf` and `.nan`, YAML 1.1 merge keys.
 * Walks every node once; aliases are not followed, so an alias bomb stays cheap.
 */
function index(root: unknown): {
  places: Map<string, number>;
  problems: { why: string; offset: number }[];
} {
  const places = new Map<string, number>();
  const problems: { why: string; offset: number }[] = [];
  const anchors = new Set<string>();
  const aliases: { name: string; offset: number }[] = [];
  const stack: { node: unknown; path: Path }[] = [{ node: root, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    const start = (node as Node | undefined)?.range?.[0];
    if (start !== undefined) places.set(pathKey(path), start);
    const tag = (node as Node | undefined)?.tag;
    if (tag && !JSON_TAGS.has(tag))
      problems.push({
        why: notJsonTag(tag.replace("tag:yaml.org,2002:", "!!")),
        offset: start ?? 0,
      });
    if (isScalar(node) && typeof node.value === "number" && !Number.isFinite(node.value))
      problems.push({
        why: `${String(node.source ?? node.value)} is not a JSON number (no infinity or NaN); quote it if it is text`,
        offset: start ?? 0,
      });
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key);
        const keyStart = (pair.key as Node | null)?.range?.[0] ?? start ?? 0;
        if (seen.has(key))
          problems.push({
            why: `the key ${JSON.stringify(key).slice(0, 80)} appears twice in one mapping`,
            offset: keyStart,
          });
        if (key === "<<" && isScalar(pair.key) && pair.key.type === "PLAIN")
          problems.push({
            why: "YAML merge keys (<<) are not JSON data; write the keys out",
            offset: keyStart,
          });
        seen.add(key);
        places.set(`${pathKey([...path, key])}#key`, keyStart);
        stack.push({ node: pair.value, path: [...path, key] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: [...path, i] }));
    } else if (isAlias(node)) {
      aliases.push({ name: node.source, offset: start ?? 0 });
    }
    const anchor = (node as Node | undefined)?.anchor;
    if (anchor) anchors.add(anchor);
  }
  // `environment: *prod*` is an alias to an anchor "prod*" no one wrote, not a glob
  for (const { name, offset } of aliases) {
    if (!anchors.has(name))
      problems.push({
        why: `*${name} reads as a YAML alias (a reference to an &${name} anchor, which the file does not have); quote the value if it is text: "*${name}"`,
        offset,
      });
  }
  problems.sort((a, b) => a.offset - b.offset);
  return { places, problems };
}

/**
 * A cheap estimate of how deep the text nests: flow brackets outside quotes and comments, and
 * per line the indentation plus leading `- ` entries. Runs before the parser, which recurses
 * per level.
 */
function nestingDepth(text: string): { flow: number; block: number } {
  let flow = 0;
  let maxFlow = 0;
  let maxBlock = 0;
  for (const line of text.split("\n")) {
    const lead = /^( *)((?:- +)*)/.exec(line)!;
    maxBlock = Math.max(maxBlock, lead[1]!.length + (lead[2]!.match(/-/g)?.length ?? 0));
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quote) {
        if (ch === "\\" && quote === '"') i++;
        else if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === "#" && (i === 0 || line[i - 1] === " ")) break;
      else if (ch === "[" || ch === "{") maxFlow = Math.max(maxFlow, ++flow);
      else if (ch === "]" || ch === "}") flow = Math.max(0, flow - 1);
    }
  }
  return { flow: maxFlow, block: maxBlock };
}
