import type { HclBlock, HclBody, HclExpression, HclValue } from "./ast";
import { isExpression } from "./ast";

// Checks shared by both printers: names, labels, comments, text and values.

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u; // with /u, paired surrogates are one code point

function checkIdentifier(name: string, what: string, where: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `${what} ${JSON.stringify(name)} in ${where} is not an HCL identifier (letters, digits, _ and -, not starting with a digit or -)`,
    );
  }
}

export function checkText(text: string, where: string): void {
  if (LONE_SURROGATE.test(text)) {
    throw new Error(
      `${JSON.stringify(text)} in ${where} has a lone surrogate, which has no UTF-8 form`,
    );
  }
}

/** One attribute per name, no name both an attribute and a block type, one label count per type. */
export function checkNames(body: HclBody, where: string): void {
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
export function blockPath(block: HclBlock, where: string): string {
  return [`${where} >`, block.block, ...(block.labels ?? []).map((l) => JSON.stringify(l))].join(
    " ",
  );
}

export function checkLabel(label: string, where: string): string {
  checkText(label, where);
  if (/[$%]/.test(label) || label.normalize("NFC") !== label) {
    throw new Error(
      `label ${JSON.stringify(label)} in ${where} has $ or % or is not in NFC; terraform fmt would delete or rewrite it (hashicorp/terraform#35417)`,
    );
  }
  return label;
}

export function checkComment(text: string, where: string): string[] {
  checkText(text, where);
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029]/.test(text)) {
    throw new Error(
      `comment ${JSON.stringify(text)} in ${where} has a control character other than a newline`,
    );
  }
  return text.split("\n").map((line) => line.trimEnd()); // trailing spaces would be noise in pasted files
}

export type Classified =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "expression"; readonly value: string }
  | { readonly kind: "list"; readonly value: readonly HclValue[] }
  | { readonly kind: "object"; readonly value: readonly (readonly [string, HclValue])[] };

/** What a value is, checked: finite numbers, well-formed text, expressions made by `expression`. */
export function classify(value: HclValue, where: string): Classified {
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
  if (isExpression(value)) {
    return { kind: "expression", value: checkExpression(value, where) };
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
