/**
 * Prints the TypeScript declarations of a JSON Schema as zod's `toJSONSchema` writes it: named
 * schemas (`$defs`) become exported types, descriptions become JSDoc with
 * `@default` and `@example`. It reads only the keywords zod emits for the intent document and
 * refuses any other, so a schema change that it cannot print faithfully fails the generator.
 */

/** A JSON Schema node, as far as this printer reads it. */
export interface SchemaNode {
  $ref?: string;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode | boolean;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  $defs?: Record<string, SchemaNode>;
}

/** Keywords that only constrain values, which the types do not express (the JSON Schema does). */
const VALUE_KEYWORDS = new Set([
  "$schema",
  "$id",
  "title",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "propertyNames",
  "format",
]);

const TYPE_KEYWORDS = new Set([
  "$ref",
  "type",
  "const",
  "enum",
  "oneOf",
  "anyOf",
  "items",
  "properties",
  "required",
  "additionalProperties",
  "description",
  "default",
  "examples",
  "$defs",
]);

/** How the declarations name a `$defs` entry (its key) and the root schema. */
export interface Naming {
  readonly root: string;
  readonly def: (key: string) => string;
}

/** The declarations of `schema` and of every schema in its `$defs`, in that order. */
export function declarations(schema: SchemaNode, naming: Naming): string {
  const blocks = [declaration(naming.root, schema, naming)];
  for (const [key, def] of Object.entries(schema.$defs ?? {})) {
    blocks.push(declaration(naming.def(key), def, naming));
  }
  return blocks.join("\n\n");
}

function declaration(name: string, node: SchemaNode, naming: Naming): string {
  // type aliases, not interfaces: documents stay assignable to index-signature types (JSON)
  return `${jsdoc(node, "")}export type ${name} = ${typeOf(node, naming, "")};`;
}

function typeOf(node: SchemaNode, naming: Naming, indent: string): string {
  for (const key of Object.keys(node)) {
    if (!TYPE_KEYWORDS.has(key) && !VALUE_KEYWORDS.has(key)) {
      throw new Error(`json-schema-to-ts: cannot print the keyword ${key}`);
    }
  }
  if (node.$ref !== undefined) {
    const match = /^#\/\$defs\/(.+)$/.exec(node.$ref);
    if (!match) throw new Error(`json-schema-to-ts: cannot follow ${node.$ref}`);
    return naming.def(match[1]!);
  }
  if ("const" in node) return JSON.stringify(node.const);
  if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  const union = node.oneOf ?? node.anyOf;
  if (union !== undefined) {
    return union.map((member) => parenthesise(typeOf(member, naming, indent))).join(" | ");
  }
  switch (node.type) {
    case undefined:
      return "unknown";
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      return `${parenthesise(typeOf(node.items ?? {}, naming, indent))}[]`;
    case "object":
      return objectType(node, naming, indent);
    default:
      throw new Error(`json-schema-to-ts: cannot print type ${node.type}`);
  }
}

function parenthesise(type: string): string {
  return type.includes(" | ") ? `(${type})` : type;
}

function objectType(node: SchemaNode, naming: Naming, indent: string): string {
  const inner = `${indent}  `;
  const lines: string[] = [];
  const required = new Set(node.required ?? []);
  for (const [key, property] of Object.entries(node.properties ?? {})) {
    const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
    const optional = required.has(key) ? "" : "?";
    lines.push(
      `${jsdoc(property, inner)}${inner}${name}${optional}: ${typeOf(property, naming, inner)};`,
    );
  }
  const extra = node.additionalProperties;
  if (extra !== undefined && extra !== false) {
    const value = extra === true ? "unknown" : typeOf(extra, naming, inner);
    lines.push(`${inner}[name: string]: ${value};`);
  }
  return lines.length === 0 ? "{}" : `{\n${lines.join("\n")}\n${indent}}`;
}

function jsdoc(node: SchemaNode, indent: string): string {
  const lines: string[] = [];
  if (node.description !== undefined) lines.push(...node.description.split("\n"));
  if (node.default !== undefined) lines.push(`@default ${JSON.stringify(node.default)}`);
  for (const example of node.examples ?? []) lines.push(`@example ${JSON.stringify(example)}`);
  if (lines.length === 0) return "";
  const body = lines.map((line) => `${indent} *${line === "" ? "" : ` ${escape(line)}`}`);
  return `${indent}/**\n${body.join("\n")}\n${indent} */\n`;
}

/** A description may hold `*\/`, which would end the comment early. */
function escape(line: string): string {
  return line.replaceAll("*/", "*\\/");
}
