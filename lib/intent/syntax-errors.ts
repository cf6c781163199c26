import type { ErrorCode, YAMLError } from "yaml";
import { CST, Lexer } from "yaml";
import { count, quote } from "../errors";

/** A sentence saying what to change, and the offset in the text where the change goes. */
export interface Why {
  readonly why: string;
  readonly offset: number;
}

/** Why a YAML tag is refused: `tag` as written (`!Ref`) or resolved (`!!set`). */
export function notJsonTag(tag: string): string {
  return `the tag ${tag} is not JSON data; intent documents hold strings, numbers, booleans, null, lists and mappings`;
}

/** The text by lines, for looking around the place of an error. */
export class Source {
  /**
   * Where each line starts, counted here: after a syntax error the parser's `LineCounter` can
   * miss lines. A line ends at `\n`, as the yaml package counts them.
   */
  private readonly starts = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  lineOf(offset: number): number {
    let [low, high] = [0, this.starts.length - 1];
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  start(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }

  /** Line `line` (from 1) without its line break. */
  line(line: number): string {
    const end = this.starts[line] ?? this.text.length + 1;
    return this.text.slice(this.start(line), end - 1).replace(/\r$/, "");
  }

  /** Where the line's first character after its indentation is. */
  firstChar(line: number): number {
    return this.start(line) + indent(this.line(line));
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The line an error at `offset` is about: the next one holding YAML if only blanks follow. */
  errorLine(offset: number): number {
    const n = this.lineOf(offset);
    if (this.text.slice(offset, this.start(n + 1)).trim()) return n;
    for (let k = n + 1; k <= this.lineCount; k++) if (hasContent(this.line(k))) return k;
    return n;
  }
}

/** Leading spaces, tabs and `- ` markers: what YAML reads as indentation. */
const LEAD = /^(?:[ \t]|-(?=[ \t]|$))*/;

function indent(line: string): number {
  return /^ */.exec(line)![0].length;
}

/** Where the key of a line starts, after its indentation and `- ` markers. */
function keyColumn(line: string): number {
  return LEAD.exec(line)![0].length;
}

function isDash(line: string): boolean {
  return /^ *-(?:[ \t]|$)/.test(line);
}

/** A line that holds YAML: not blank, not only a comment. */
function hasContent(line: string): boolean {
  return /^[ \t]*[^\s#]/.test(line);
}

/** What a parser error is inside of, and where it is. */
interface Context {
  readonly src: Source;
  /** Where the parser reported the error. */
  readonly at: number;
  /** Where the innermost `[` or `{` open there starts. */
  readonly flow?: number;
  /** Where the last quoted string before it starts. */
  readonly quoted?: number;
}

type Rule = readonly [
  code: ErrorCode,
  message: RegExp,
  /** A sentence (saying what to change where the parser stopped), or a `Why` to point elsewhere. */
  explain: (match: RegExpExecArray, context: Context) => string | Why | undefined,
];

/** For `*`, `&` and `!` at the start of a plain value: YAML reads them as alias, anchor, tag. */
const SIGIL =
  "quote the value: unquoted, a value starting with *, & or ! is a YAML alias, anchor or tag";
const AFTER_QUOTE =
  "the value goes on after its closing quote; put all of it inside the quotes (in '…', write '' for a ')";

/** The common mistakes, by the parser's code and words; the first rule with an answer wins. */
const RULES: readonly Rule[] = [
  [
    "MISSING_CHAR",
    /^Missing closing (["'])quote/,
    ([, q], c) => ({
      why: `this ${q} is never closed; add a ${q} where the value ends`,
      offset: c.quoted ?? c.at,
    }),
  ],
  [
    "MISSING_CHAR",
    /^Missing , (or : )?between/,
    ([, colon]) => `add a , between these two items${colon ? ", or a : after the key" : ""}`,
  ],
  ["MISSING_CHAR", /^Comments must be/, () => "put a space before the # that starts a comment"],
  ["MISSING_CHAR", /^Flow map must end/, (_, c) => unclosedFlow(c)],
  ["MISSING_CHAR", /^(Sequence item without|Implicit map keys need)/, (_, c) => blockLine(c)],
  ["MISSING_CHAR", /^Tags and anchors must be/, () => SIGIL],
  ["BAD_INDENT", /^Flow (sequence|map)/, (_, c) => unclosedFlow(c)],
  ["BAD_INDENT", /^All (mapping|sequence) items/, (_, c) => structure(c)],
  ["BLOCK_IN_FLOW", /^/, (_, c) => missingComma(c)],
  ["MULTILINE_IMPLICIT_KEY", /^/, (_, c) => unclosedKey(c) ?? missingComma(c) ?? blockLine(c)],
  ["BLOCK_AS_IMPLICIT_KEY", /^Nested mappings/, (_, c) => nestedUnderValue(c)],
  ["BLOCK_AS_IMPLICIT_KEY", /^A block sequence/, (_, c) => structure(c)],
  [
    "UNEXPECTED_TOKEN",
    /^Unexpected flow-(?:seq|map)-end token.*"(.)"$/,
    ([, close]) =>
      `this ${close} closes nothing; remove it, or add the ${close === "]" ? "[" : "{"} it closes`,
  ],
  [
    "UNEXPECTED_TOKEN",
    /^Unexpected , in/,
    () => "remove this extra ,: commas go only between items",
  ],
  [
    "UNEXPECTED_TOKEN",
    /^Unexpected (.) in/,
    ([, ch]) => `quote the value that holds this ${ch}, or remove it`,
  ],
  [
    "UNEXPECTED_TOKEN",
    /^Unexpected scalar at node end/,
    (_, c) => (/["']\s*$/.test(c.src.text.slice(0, c.at)) ? AFTER_QUOTE : undefined),
  ],
  ["UNEXPECTED_TOKEN", /^Unexpected (tag|anchor|alias) at/, () => SIGIL],
  [
    "UNEXPECTED_TOKEN",
    /^Unexpected \S+ at node end/,
    () => "the value ends before this; remove it, or quote the whole value",
  ],
  [
    "UNEXPECTED_TOKEN",
    /^Unexpected block-seq-ind/,
    (_, c) => structure(c) ?? "start this list on the line after its key, indented",
  ],
  ["BAD_ALIAS", /^/, () => SIGIL],
  [
    "BAD_SCALAR_START",
    /start with (.*)$/,
    ([, what]) => `quote the value: an unquoted value cannot start with ${what}`,
  ],
  [
    "BAD_DQ_ESCAPE",
    /sequence \\(.*)$/,
    ([, rest]) =>
      `\\${rest} is not an escape in a "…" string; to keep the backslash write \\\\${rest}, or quote the value with '…' instead`,
  ],
  [
    "KEY_OVER_1024_CHARS",
    /^/,
    () => "shorten this key, or end it with a :, within 1024 characters",
  ],
  [
    "MULTIPLE_DOCS",
    /^/,
    () =>
      "an intent file is one YAML document; remove this --- line and merge or delete what follows",
  ],
  [
    "BAD_DIRECTIVE",
    /^/,
    () => "a line starting with % is a YAML directive; quote the text or remove the line",
  ],
  ["TAG_RESOLVE_FAILED", /^Unresolved tag: (.*)$/, ([, tag]) => notJsonTag(tag!)],
];

/**
 * The mistake behind an error of the YAML parser, in a sentence saying what to change (the
 * parser's own words when it is not a common mistake), at the place where the change goes.
 */
export function explain(src: Source, problem: YAMLError): Why {
  const at = Math.min(problem.pos[0], src.text.length);
  const message = problem.message.split("\n")[0]!;
  const { flows, quoted } = scan(src.text, at);
  const context: Context = { src, at, flow: flows.at(-1), quoted };
  // inside [ ] and { } a tab is white space like any other; in the indentation, it is the mistake
  if (problem.code === "TAB_AS_INDENT" || !flows.length) {
    const tab = tabAt(src, at, problem.code === "TAB_AS_INDENT");
    if (tab) return tab;
  }
  for (const [code, words, rule] of RULES) {
    const match = code === problem.code ? words.exec(message) : null;
    const why = match && rule(match, context);
    if (why) return typeof why === "string" ? { why, offset: at } : why;
  }
  return { why: message, offset: at };
}

/**
 * The flow collections (`[`, `{`) open at `offset`, innermost last, and where the last quoted
 * string before it starts: what an error at `offset` is inside of.
 */
function scan(text: string, offset: number): { flows: number[]; quoted?: number } {
  const flows: number[] = [];
  let quoted: number | undefined;
  let at = 0;
  for (const token of new Lexer().lex(text)) {
    if (at >= offset) break;
    const type = CST.tokenType(token);
    if (type === "flow-error-end") flows.length = 0;
    else if (type === "flow-map-start" || type === "flow-seq-start") flows.push(at);
    else if (type === "flow-map-end" || type === "flow-seq-end") flows.pop();
    else if (type === "single-quoted-scalar" || type === "double-quoted-scalar") quoted = at;
    // the lexer's mode markers take no room in the text
    if (type !== "doc-mode" && type !== "flow-error-end" && type !== "scalar") at += token.length;
  }
  return { flows, quoted };
}

/** A tab in the indentation of the error's line (or at the error, for the parser's tab error). */
function tabAt(src: Source, at: number, atError: boolean): Why | undefined {
  const n = atError ? src.lineOf(at) : src.errorLine(at);
  const column =
    atError && src.text[at] === "\t" ? at - src.start(n) : LEAD.exec(src.line(n))![0].indexOf("\t");
  if (column < 0) return undefined;
  let more = 0;
  for (let k = n + 1; k <= src.lineCount; k++) {
    const line = src.line(k);
    if (LEAD.exec(line)![0].includes("\t") && hasContent(line)) more++;
  }
  const also = more
    ? ` (${more} more ${more === 1 ? "line below is" : "lines below are"} indented with tabs too)`
    : "";
  return {
    why: `YAML indents with spaces; replace the tab at column ${column + 1} with spaces${also}`,
    offset: src.start(n) + column,
  };
}

/** An unclosed `[` or `{`, or a line inside one indented no further than the line it opens on. */
function unclosedFlow({ src, at, flow }: Context): Why | undefined {
  if (flow === undefined) return undefined;
  const open = src.text[flow]!;
  const close = open === "[" ? "]" : "}";
  const n = src.lineOf(at);
  const closes = (line: string) => line.split(close).length > line.split(open).length;
  // a line from here on that closes more than it opens: the collection ends, but too far out
  let closed = false;
  for (let k = n; k <= src.lineCount && !closed; k++) closed = closes(src.line(k));
  if (closed) {
    const needed = count(indent(src.line(src.lineOf(flow))) + 1, "space");
    return {
      why: `indent this line by at least ${needed}: lines inside ${open} ${close} go further in than the line the ${open} is on`,
      offset: src.firstChar(n),
    };
  }
  return { why: `this ${open} is never closed; add a ${close} after its last item`, offset: flow };
}

/** A key that starts with a quote and runs on to later lines: the quote is not closed. */
function unclosedKey({ src, at }: Context): string | undefined {
  const q = src.text[at];
  if (q !== '"' && q !== "'") return undefined;
  return `this ${q} is never closed on its line; add a ${q} where the key ends`;
}

/** Items inside `[ ]` or `{ }` without the comma between them. */
function missingComma(c: Context): string | undefined {
  if (c.flow === undefined) return undefined;
  return "add a , after this value: items inside [ ] and { } are separated by commas";
}

/** `key: a: b` (a value holding `: `), or a deeper line under a key that already has a value. */
function nestedUnderValue({ src, at }: Context): string | Why | undefined {
  const n = src.lineOf(at);
  const line = src.line(n);
  if (/^ *-[^\s-]/.test(line))
    return {
      why: 'put a space after this -: a list item starts with "- "',
      offset: src.firstChar(n),
    };
  if (/:(?:\s|$)/.test(line.slice(at - src.start(n))))
    return 'quote the value: unquoted, the ": " inside it starts a mapping';
  for (let k = n + 1; k <= src.lineCount; k++) {
    const next = src.line(k);
    if (!hasContent(next)) continue;
    if (indent(next) <= indent(line)) return undefined;
    return {
      why: `indent this line by ${count(keyColumn(line), "space")} like the key above it, or remove that key's value to nest this line under it`,
      offset: src.firstChar(k),
    };
  }
  return undefined;
}

/**
 * A block-structure mistake on the error's line: a list item and a key at one level, or a line
 * indented to no level above it.
 */
function structure({ src, at }: Context): Why | undefined {
  const n = src.errorLine(at);
  const line = src.line(n);
  const own = indent(line);
  const sibling = above(src, n, (l) => indent(l) <= own)[0];
  // a `- ` where the line above has a key, or a key where it has a `- `
  const mixed =
    sibling !== undefined &&
    ((indent(sibling) === own && isDash(sibling) !== isDash(line)) ||
      (isDash(line) && keyColumn(sibling) === own));
  if (mixed)
    return {
      why: isDash(line)
        ? "one level holds either list items or keys, not both: indent this list under a key, or write this item as a key"
        : `one level holds either list items or keys, not both: start this line with "- " for a new item, or indent it by ${count(keyColumn(sibling), "space")} to continue the item above`,
      offset: src.firstChar(n),
    };
  const enclosing = above(src, n, () => true);
  // after `key:` (or a bare `-`) a line may start anywhere further in
  const opens = enclosing[0] !== undefined && /(?::|^\s*-)\s*$/.test(enclosing[0]);
  const levels = enclosing.flatMap((l) => [indent(l), keyColumn(l)]);
  if (!levels.length || levels.includes(own) || (opens && own > indent(enclosing[0]!)))
    return undefined;
  const lower = levels.filter((l) => l < own);
  const higher = levels.filter((l) => l > own);
  const choices = [
    ...(lower.length ? [Math.max(...lower)] : []),
    ...(higher.length ? [Math.min(...higher)] : []),
  ];
  const by = choices.length === 1 ? count(choices[0]!, "space") : `${choices.join(" or ")} spaces`;
  return {
    why: `line this ${isDash(line) ? "item" : "key"} up with the lines above it: indent it by ${by}, not ${own}`,
    offset: src.firstChar(n),
  };
}

/** A misplaced line in a block, or a key missing its `:` or the space after it. */
function blockLine(c: Context): Why | undefined {
  const found = structure(c);
  if (found) return found;
  const n = c.src.errorLine(c.at);
  const line = c.src.line(n);
  const content = line.slice(keyColumn(line)).trimEnd();
  const offset = c.src.firstChar(n);
  if (!content.includes(":"))
    return {
      why: `a key ends with a colon; write ${quote(content.replace(/^\S+/, "$&:"))}`,
      offset,
    };
  if (!/:\s/.test(content))
    return {
      why: `put a space after the colon: ${quote(content.replace(/:(?=\S)/, ": "))}`,
      offset,
    };
  return undefined;
}

/**
 * The lines above line `n` that enclose it, nearest first: the first that holds YAML and passes
 * `first`, then each that starts further out than the one before, up to one at column 1.
 */
function above(src: Source, n: number, first: (line: string) => boolean): string[] {
  const found: string[] = [];
  for (let k = n - 1; k >= 1; k--) {
    const line = src.line(k);
    const last = found.at(-1);
    if (!hasContent(line) || (last === undefined ? !first(line) : indent(line) >= indent(last)))
      continue;
    found.push(line);
    if (indent(line) === 0) break;
  }
  return found;
}
