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
import { error } from "../errors";

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
 * that contains itself is refused by `parseDocument`. Linear in the size of the text.
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
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length) {
    return {
      issues: problems.map((p) => ({
        ...error(
          "invalid_syntax",
          [],
          `the file is not valid YAML or JSON: ${p.message.split("\n")[0]}`,
        ),
        ...at(p.pos[0]),
      })),
      locate: unlocated,
    };
  }
  const { places, problems: found } = index(doc.contents);
  if (found.length) {
    return {
      issues: found.map(({ why, offset }) => ({
        ...error("invalid_syntax", [], `the file is not valid YAML or JSON: ${why}`),
        ...at(offset),
      })),
      locate: unlocated,
    };
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
  const stack: { node: unknown; path: Path }[] = [{ node: root, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    const start = (node as Node | undefined)?.range?.[0];
    if (start !== undefined) places.set(pathKey(path), start);
    const tag = (node as Node | undefined)?.tag;
    if (tag && !JSON_TAGS.has(tag))
      problems.push({
        why: `the tag ${tag.replace("tag:yaml.org,2002:", "!!")} is not JSON data; intent documents hold strings, numbers, booleans, null, lists and mappings`,
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
      continue;
    }
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
