/**
 * Terraform files from a small AST, printed as native HCL (`.tf`, in `terraform fmt` layout) and
 * as Terraform JSON (`.tf.json`).
 *
 * Strings, as hashicorp/hcl reads them (hclsyntax scan_tokens.rl, scan_string_lit.rl,
 * ParseStringLiteralToken) and as terraform 1.11.4 decoded them in test/render/hcl.test.ts:
 * - Every quoted string is a template, in `.tf` and `.tf.json` alike (object keys too), and the
 *   only template escapes are `${` → `$${` and `%{` → `%%{`. A `$` or `%` not followed by `{` is
 *   literal, at the end of a string too, so `$${` in a value is written `$$${` (a literal `$`,
 *   then the escape) and reads back as `$${`.
 * - `.tf` strings are escaped as hclwrite escapes them (`escapeQuotedStringLit`, the form
 *   `terraform fmt` gives labels): `\` `"` `\n` `\r` `\t`, and every character Go does not
 *   call printable (controls, U+2028, non-ASCII spaces, format characters, unassigned) as
 *   `\uXXXX` or `\UXXXXXXXX`; printable characters (é, emoji, CJK) as they are.
 * - In `.tf.json`, a string with a carriage return outside a CRLF is written `${"…"}` (see
 *   `jsonString`).
 * - Terraform holds every string value in NFC, so canonically equivalent input reads back in NFC.
 * - Block labels: `terraform fmt` deletes a label with `$` or `%` in it (hashicorp/terraform#35417)
 *   and rewrites one not in NFC, so such labels are refused; in `.tf.json` labels are plain JSON
 *   property names, never templates.
 * A string with a lone surrogate has no UTF-8 form, so it is refused.
 */

const expressions = new WeakSet<object>();

/**
 * A Terraform expression written verbatim (only trustplane's own code builds these, e.g.
 * `data.tfe_workspace.app.id`).
 */
export interface HclExpression {
  readonly expression: string;
}

/**
 * A verbatim expression. Only objects made here are printed as expressions: a plain
 * `{ expression: "…" }` is refused, so data shaped like one can never become code.
 */
export const expression = (text: string): HclExpression => {
  const made = Object.freeze({ expression: text });
  expressions.add(made);
  return made;
};

/**
 * A value: literal strings (escaped, never interpolated), numbers, booleans, lists, objects
 * (printed as `{ key = value }` object expressions), or a verbatim expression.
 */
export type HclValue =
  | string
  | number
  | boolean
  | HclExpression
  | readonly HclValue[]
  | { readonly [key: string]: HclValue };

/** `attribute = value` in a body. */
export interface HclAttribute {
  readonly attribute: string;
  readonly value: HclValue;
}

/** `block "label" … { body }`. */
export interface HclBlock {
  readonly block: string;
  readonly labels?: readonly string[];
  readonly body: HclBody;
}

/** `# …` lines in `.tf` (one per line of the text); a `"//"` property in `.tf.json`. */
export interface HclComment {
  readonly comment: string;
}

/** The items of a file or of a block, in order. */
export type HclBody = readonly (HclAttribute | HclBlock | HclComment)[];

/**
 * The `.tf` text: canonical `terraform fmt` layout, ending in one newline (an empty body is
 * the empty string).
 *
 * Blocks are set apart by a blank line from whatever precedes and follows them; attributes
 * stand together, their `=` aligned as `terraform fmt` aligns them. Comments sit directly above
 * the item they precede.
 *
 * @throws Error for an attribute or block type that is not an identifier, a repeated attribute,
 *   a name that is both, blocks of one type with different label counts, a non-finite number,
 *   an expression not made by {@link expression}, a label with `$` or `%` or not in NFC, two
 *   keys that are one in NFC, a comment with control characters, or a lone surrogate
 */
export function printHcl(body: HclBody): string {
  const lines = bodyLines(body, "", "the file");
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/**
 * The Terraform JSON syntax equivalent of the same body (the value to serialise).
 *
 * A block type maps to an object nested by labels; several blocks at the same labels become an
 * array of bodies. Expressions become `"${…}"`; comments of a body are joined into its `"//"`.
 *
 * @throws Error in the same cases as {@link printHcl}
 */
export function terraformJson(body: HclBody): Record<string, unknown> {
  return jsonBody(body, "the file");
}

/** `terraformJson` serialised with 2-space indentation and a final newline: the `.tf.json` text. */
export function printTerraformJson(body: HclBody): string {
  return `${JSON.stringify(terraformJson(body), null, 2)}\n`;
}

// ---- checks shared by both printers

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u; // with /u, paired surrogates are one code point

function checkIdentifier(name: string, what: string, where: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `${what} ${JSON.stringify(name)} in ${where} is not an HCL identifier (letters, digits, _ and -, not starting with a digit or -)`,
    );
  }
}

function checkText(text: string, where: string): void {
  if (LONE_SURROGATE.test(text)) {
    throw new Error(
      `${JSON.stringify(text)} in ${where} has a lone surrogate, which has no UTF-8 form`,
    );
  }
}

/** One attribute per name, no name both an attribute and a block type, one label count per type. */
function checkNames(body: HclBody, where: string): void {
  const attributes = new Set<string>();
  const labelCounts = new Map<string, number>();
  for (const item of body) {
    if ("attribute" in item) {
      checkIdentifier(item.attribute, "attribute", where);
      if (attributes.has(item.attribute)) {
        throw new Error(`${item.attribute} is an attribute twice in ${where}`);
      }
      attributes.add(item.attribute);
    } else if ("block" in item) {
      checkIdentifier(item.block, "block type", where);
      const count = item.labels?.length ?? 0;
      if ((labelCounts.get(item.block) ?? count) !== count) {
        throw new Error(`${item.block} blocks in ${where} have different numbers of labels`);
      }
      labelCounts.set(item.block, count);
    }
  }
  const both = [...attributes].find((name) => labelCounts.has(name));
  if (both !== undefined)
    throw new Error(`${both} is both an attribute and a block type in ${where}`);
}

/** Where a block's body is, for error messages: `the file > provider "aws"`. */
function blockPath(block: HclBlock, where: string): string {
  return [`${where} >`, block.block, ...(block.labels ?? []).map((l) => JSON.stringify(l))].join(
    " ",
  );
}

function checkLabel(label: string, where: string): string {
  checkText(label, where);
  if (/[$%]/.test(label) || label.normalize("NFC") !== label) {
    throw new Error(
      `label ${JSON.stringify(label)} in ${where} has $ or % or is not in NFC; terraform fmt would delete or rewrite it (hashicorp/terraform#35417)`,
    );
  }
  return label;
}

function checkComment(text: string, where: string): string[] {
  checkText(text, where);
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029]/.test(text)) {
    throw new Error(
      `comment ${JSON.stringify(text)} in ${where} has a control character other than a newline`,
    );
  }
  return text.split("\n").map((line) => line.trimEnd()); // trailing spaces would be noise in pasted files
}

type Classified =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "expression"; readonly value: string }
  | { readonly kind: "list"; readonly value: readonly HclValue[] }
  | { readonly kind: "object"; readonly value: readonly (readonly [string, HclValue])[] };

/** What a value is, checked: finite numbers, well-formed text, expressions made by `expression`. */
function classify(value: HclValue, where: string): Classified {
  if (typeof value === "string") {
    checkText(value, where);
    return { kind: "string", value };
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new Error(`${where} is ${value}; Terraform numbers are finite`);
    return { kind: "number", value: value === 0 ? 0 : value }; // JSON.stringify prints -0 as 0
  }
  if (typeof value === "boolean") return { kind: "boolean", value };
  if (isList(value)) return { kind: "list", value };
  if (typeof value !== "object" || value === null) {
    throw new Error(`${where} is ${String(value)}, which is not an HCL value`);
  }
  if (expressions.has(value)) {
    return { kind: "expression", value: checkExpression(value as HclExpression, where) };
  }
  const entries = Object.entries(value);
  if (
    entries.length === 1 &&
    entries[0]?.[0] === "expression" &&
    typeof entries[0][1] === "string"
  ) {
    throw new Error(
      `${where} looks like an expression but was not made by expression(); build verbatim expressions with expression()`,
    );
  }
  const seen = new Set<string>();
  for (const [key] of entries) {
    checkText(key, where);
    // Terraform holds keys in NFC: in .tf the last of two equivalent keys wins silently
    if (seen.has(key.normalize("NFC"))) {
      throw new Error(
        `${where} has two keys that are one in NFC, as Terraform reads them: ${JSON.stringify(key)}`,
      );
    }
    seen.add(key.normalize("NFC"));
  }
  return { kind: "object", value: entries };
}

// Array.isArray does not narrow readonly arrays out of a union
const isList = (value: HclValue): value is readonly HclValue[] => Array.isArray(value);

function checkExpression({ expression: text }: HclExpression, where: string): string {
  if (text.trim() === "" || /[\r\n]/.test(text)) {
    throw new Error(`expression ${JSON.stringify(text)} in ${where} must be one non-empty line`);
  }
  return text;
}

// ---- strings

const TEMPLATE_INTRO = /\$\{|%\{/g;
// a template introducer, a character with a short escape, or one Go's unicode.IsPrint refuses
const HCL_ESCAPED = /\$\{|%\{|[\\"]|[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  '"': '\\"',
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** `${` → `$${` and `%{` → `%%{`: Terraform reads every string as a template. */
function escapeTemplate(text: string): string {
  return text.replace(TEMPLATE_INTRO, (intro) => `${intro[0]}${intro}`);
}

/**
 * A Terraform JSON string for `text`. After a carriage return that does not start a CRLF, hcl's
 * template scanner reads the rest of a JSON string as plain text, with `$$` pairs taken greedily,
 * so `$${` there cannot be written; such text is written as the interpolation of its quoted
 * `.tf` form, `${"…"}`, which reads back exactly.
 */
function jsonString(text: string): string {
  return /\r(?!\n)/.test(text) ? `\${${quote(text)}}` : escapeTemplate(text);
}

/** A quoted HCL string literal that reads back as exactly `text`. */
function quote(text: string): string {
  const escaped = text.replace(HCL_ESCAPED, (match) => {
    if (match === "${" || match === "%{") return `${match[0]}${match}`;
    const short = SHORT_ESCAPES[match];
    if (short !== undefined) return short;
    const code = match.codePointAt(0) ?? 0;
    const hex = code.toString(16);
    return code < 0x10000 ? `\\u${hex.padStart(4, "0")}` : `\\U${hex.padStart(8, "0")}`;
  });
  return `"${escaped}"`;
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * Columns `terraform fmt` counts for a lead when aligning `=`: grapheme clusters per token
 * (hclwrite Tokens.Columns). In a quoted key the quotes, each lone `$` or `%` and each `$${` or
 * `%%{` are tokens of their own, so clusters never span them.
 */
function columns(lead: string): number {
  if (/^[\x20-\x7e]*$/.test(lead)) return lead.length;
  const inner = lead.slice(1, -1); // only quoted keys hold anything but ASCII
  const tokens = inner.split(/(\$\$\{|%%\{|[$%])/);
  return 2 + tokens.reduce((sum, token) => sum + [...graphemes.segment(token)].length, 0);
}

// ---- .tf

interface Entry {
  readonly lead: string;
  readonly value: readonly string[]; // first line follows `lead = `; later lines carry their indent
}

/** Lines of a body at `indent`, blocks set apart by blank lines, attribute runs aligned. */
function bodyLines(body: HclBody, indent: string, where: string): string[] {
  checkNames(body, where);
  const lines: string[] = [];
  let run: Entry[] = [];
  const flush = () => {
    lines.push(...entryLines(run, indent));
    run = [];
  };
  body.forEach((item, i) => {
    if (i > 0 && blankBefore(body, i)) {
      flush();
      lines.push("");
    }
    if ("attribute" in item) {
      const at = `${where} > ${item.attribute}`;
      run.push({ lead: item.attribute, value: valueLines(item.value, indent, at) });
      return;
    }
    flush();
    if ("block" in item) lines.push(...blockLines(item, indent, where));
    else lines.push(...checkComment(item.comment, where).map((l) => `${indent}#${l && ` ${l}`}`));
  });
  flush();
  return lines;
}

/** Comments belong to the item below them; blocks (and trailing comments) stand apart. */
function blankBefore(body: HclBody, i: number): boolean {
  const previous = body[i - 1];
  if (previous === undefined || "comment" in previous) return false;
  const next = body.slice(i).find((item) => !("comment" in item));
  return "block" in previous || next === undefined || "block" in next;
}

function blockLines(block: HclBlock, indent: string, where: string): string[] {
  const labels = (block.labels ?? []).map(
    (label) => ` ${quote(checkLabel(label, `${where} > ${block.block}`))}`,
  );
  const head = `${indent}${block.block}${labels.join("")}`;
  const inner = bodyLines(block.body, `${indent}  `, blockPath(block, where));
  return inner.length === 0 ? [`${head} {}`] : [`${head} {`, ...inner, `${indent}}`];
}

/** `lead = value` lines; `=` aligned across each run of single-line entries, as hclwrite does. */
function entryLines(entries: readonly Entry[], indent: string): string[] {
  const lines: string[] = [];
  let width = 0;
  entries.forEach((entry, i) => {
    if (i === 0 || entries[i - 1]!.value.length > 1) width = runWidth(entries, i);
    const [first = "", ...rest] = entry.value;
    const pad = rest.length > 0 ? 1 : width - columns(entry.lead) + 1; // a line opening a multi-line value is not aligned
    lines.push(`${indent}${entry.lead}${" ".repeat(pad)}= ${first}`, ...rest);
  });
  return lines;
}

/** The widest lead among the single-line entries from `start` up to the next multi-line one. */
function runWidth(entries: readonly Entry[], start: number): number {
  let width = 0;
  for (const entry of entries.slice(start)) {
    if (entry.value.length > 1) break;
    width = Math.max(width, columns(entry.lead));
  }
  return width;
}

/** A value as lines: one line unless it holds a non-empty object. */
function valueLines(value: HclValue, indent: string, where: string): string[] {
  const classified = classify(value, where);
  switch (classified.kind) {
    case "string":
      return [quote(classified.value)];
    case "number":
    case "boolean":
      return [JSON.stringify(classified.value)];
    case "expression":
      return [classified.value];
    case "list":
      return listLines(classified.value, indent, where);
    case "object":
      return objectLines(classified.value, indent, where);
  }
}

/** `[a, b]` on one line, or one element per line with trailing commas when any is multi-line. */
function listLines(list: readonly HclValue[], indent: string, where: string): string[] {
  const inner = `${indent}  `;
  const elements = list.map((v, i) => valueLines(v, inner, `${where}[${i}]`));
  if (elements.every((e) => e.length === 1)) return [`[${elements.map((e) => e[0]).join(", ")}]`];
  const lines = elements.flatMap(([first = "", ...rest]) => {
    const element = [`${inner}${first}`, ...rest];
    element.push(`${element.pop() ?? ""},`);
    return element;
  });
  return ["[", ...lines, `${indent}]`];
}

function objectLines(
  entries: readonly (readonly [string, HclValue])[],
  indent: string,
  where: string,
): string[] {
  if (entries.length === 0) return ["{}"];
  const inner = `${indent}  `;
  const body = entries.map(([key, v]): Entry => {
    const lead = IDENTIFIER.test(key) && key !== "for" ? key : quote(key); // `{ for = …` opens a for expression
    return { lead, value: valueLines(v, inner, `${where}.${key}`) };
  });
  return ["{", ...entryLines(body, inner), `${indent}}`];
}

// ---- .tf.json

/** Blocks of one type under their labels; the bodies sit where the labels run out. */
interface LabelNode {
  readonly bodies: Record<string, unknown>[];
  readonly children: Map<string, LabelNode>;
}

const labelNode = (): LabelNode => ({ bodies: [], children: new Map() });

/** A body as Terraform JSON; properties in order of first appearance, `"//"` first. */
function jsonBody(body: HclBody, where: string): Record<string, unknown> {
  checkNames(body, where);
  const comments: string[] = [];
  const attributes = new Map<string, unknown>();
  const blocks = new Map<string, LabelNode>();
  const order: string[] = [];
  for (const item of body) {
    if ("comment" in item) {
      comments.push(checkComment(item.comment, where).join("\n"));
    } else if ("attribute" in item) {
      order.push(item.attribute);
      attributes.set(item.attribute, jsonValue(item.value, `${where} > ${item.attribute}`));
    } else {
      if (!blocks.has(item.block)) order.push(item.block);
      addBlock(blocks, item, where);
    }
  }
  const properties = order.map((key) => {
    const node = blocks.get(key);
    return [key, node ? labelJson(node) : attributes.get(key)] as const;
  });
  return Object.fromEntries(
    comments.length > 0 ? [["//", comments.join("\n")], ...properties] : properties,
  );
}

function addBlock(blocks: Map<string, LabelNode>, block: HclBlock, where: string): void {
  let node = blocks.get(block.block) ?? labelNode();
  blocks.set(block.block, node);
  for (const label of block.labels ?? []) {
    checkLabel(label, `${where} > ${block.block}`);
    const child = node.children.get(label) ?? labelNode();
    node.children.set(label, child);
    node = child;
  }
  node.bodies.push(jsonBody(block.body, blockPath(block, where)));
}

/** One body as an object, several at the same labels as an array (Terraform accepts both). */
function labelJson(node: LabelNode): unknown {
  if (node.children.size === 0) return node.bodies.length === 1 ? node.bodies[0] : node.bodies;
  return Object.fromEntries([...node.children].map(([label, child]) => [label, labelJson(child)]));
}

function jsonValue(value: HclValue, where: string): unknown {
  const classified = classify(value, where);
  switch (classified.kind) {
    case "string":
      return jsonString(classified.value);
    case "number":
    case "boolean":
      return classified.value;
    case "expression":
      return `\${${classified.value}}`;
    case "list":
      return classified.value.map((v, i) => jsonValue(v, `${where}[${i}]`));
    case "object":
      return Object.fromEntries(
        classified.value.map(([key, v]) => [jsonString(key), jsonValue(v, `${where}.${key}`)]),
      );
  }
}
