import type { HclBlock, HclBody, HclValue } from "./ast";
import { IDENTIFIER, blockPath, checkComment, checkLabel, checkNames, classify } from "./check";
import { columns, quote } from "./strings";

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
