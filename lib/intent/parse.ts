import type { z } from "zod";
import type { Issue, IssueCode, Path } from "../errors";
import { error, quote } from "../errors";
import type { ParsedDocument } from "./document";
import { plainData } from "./plain";
import { IntentDocument } from "./schema";
import { editDistance } from "../internal/edit-distance";

/**
 * Validates a document against the v1 schema; never throws. The input is first copied as plain
 * JSON data (see `plainData`), so no getter, proxy or exotic value reaches the schema.
 */
export function parseDocument(input: unknown): { document?: ParsedDocument; issues: Issue[] } {
  const plain = plainData(input);
  if (plain.issues.length) return { issues: plain.issues };
  const data = plain.data;
  const result = IntentDocument.safeParse(data, { reportInput: true });
  if (result.success) return { document: result.data, issues: [] };
  return { issues: result.error.issues.flatMap((i) => fromZod(i, [], data)) };
}

type ZodIssue = z.core.$ZodIssue;

function fromZod(issue: ZodIssue, base: Path, root: unknown): Issue[] {
  const path: Path = [
    ...base,
    ...issue.path.filter((k): k is string | number => typeof k !== "symbol"),
  ];
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "invalid_type": {
      if (input === undefined) return [missing(path)];
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return [error("invalid_type", path, `expected ${article(expected)}, got ${describe(input)}`)];
    }
    case "unrecognized_keys":
      return issue.keys.map((key) => unknownKey([...path, key], key, allowedKeys(path, root)));
    case "invalid_union": {
      if ("discriminator" in issue && issue.discriminator) {
        const options = ((issue as { options?: unknown[] }).options ?? []).join(", ");
        const given = valueAt(root, path);
        if (given === undefined) {
          return [
            error("missing_key", path, `${issue.discriminator} is required; use one of ${options}`),
          ];
        }
        const what = `${String(path[0] ?? "").replace(/s$/, "")} ${issue.discriminator}`;
        return [
          error("invalid_value", path, `unknown ${what} ${describe(given)}; use one of ${options}`),
        ];
      }
      const branch = likelyBranch(issue.errors);
      if (branch) return branch.flatMap((i) => fromZod(i, path, root));
      return [error("invalid_value", path, `${issue.message}, got ${describe(input)}`)];
    }
    case "invalid_key": {
      const why = issue.issues.map((i) => i.message).join("; ");
      return [error("invalid_value", path, `the name ${describe(input)} is not valid: ${why}`)];
    }
    case "invalid_value": {
      if (input === undefined) return [missing(path, issue.message)];
      // zod's own wording reads "Invalid input: expected ..."; say which values are allowed
      const message = issue.message.startsWith("Invalid")
        ? `expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`
        : issue.message;
      return [error("invalid_value", path, `${message}, got ${describe(input)}`)];
    }
    default:
      return [error(codeFor(issue), path, `${issue.message}, got ${describe(input)}`)];
  }
}

/** The document's words for zod's type names. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  record: "mapping",
  object: "mapping",
  array: "list",
  int: "integer",
};

function missing(path: Path, hint?: string): Issue {
  if (path.length === 0) {
    return error(
      "missing_key",
      path,
      "the document is empty; an intent document starts with version: 1",
    );
  }
  const key = String(path[path.length - 1]);
  const why = hint && !hint.startsWith("Invalid") ? `; ${hint}` : "";
  return error("missing_key", path, `${key} is required${why}`);
}

function codeFor(issue: ZodIssue): IssueCode {
  return issue.code === "invalid_element" ? "invalid_type" : "invalid_value";
}

/** The union branch the writer most likely meant: one that failed on details, not on shape. */
function likelyBranch(branches: readonly (readonly ZodIssue[])[]): readonly ZodIssue[] | undefined {
  const plausible = branches.filter(
    (b) =>
      !b.some(
        (i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "unrecognized_keys"),
      ),
  );
  return plausible.sort((a, b) => a.length - b.length)[0];
}

function unknownKey(path: Path, key: string, allowed: readonly string[]): Issue {
  const near = allowed.find(
    (k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2,
  );
  const hint = near
    ? `; did you mean "${near}"?`
    : allowed.length
      ? `; allowed keys: ${allowed.join(", ")}`
      : "";
  return error("unknown_key", path, `unknown key ${quote(key)}${hint}`);
}

/** Keys the schema allows for the object at `path`, read from the schema itself. */
function allowedKeys(path: Path, root: unknown): string[] {
  let schema: unknown = IntentDocument;
  for (let i = 0; i <= path.length; i++) {
    schema = unwrap(schema, valueAt(root, path.slice(0, i)));
    if (i === path.length) break;
    const def = defOf(schema);
    if (def?.type === "object") schema = (def.shape as Record<string, unknown>)[String(path[i])];
    else if (def?.type === "record") schema = def.valueType;
    else if (def?.type === "array") schema = def.element;
    else return [];
  }
  const def = defOf(schema);
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
}

/** Steps through optional/default wrappers and picks the union option that fits `value`. */
function unwrap(schema: unknown, value: unknown): unknown {
  let def = defOf(schema);
  while (def && (def.type === "optional" || def.type === "default" || def.type === "pipe")) {
    schema = def.innerType ?? def.in;
    def = defOf(schema);
  }
  if (def?.type !== "union") return schema;
  const options = def.options as unknown[];
  const fits = options.find((o) => {
    const shape = defOf(o)?.shape as Record<string, unknown> | undefined;
    if (!shape || typeof value !== "object" || value === null) return false;
    return Object.entries(shape).every(([k, s]) => {
      const d = defOf(s);
      return (
        d?.type !== "literal" ||
        (d.values as unknown[]).includes((value as Record<string, unknown>)[k])
      );
    });
  });
  return fits ?? schema;
}

function defOf(schema: unknown): Record<string, unknown> | undefined {
  return (schema as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path)
    v =
      typeof v === "object" && v !== null ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A value as a message shows it: strings quoted, objects as short JSON. */
export function describe(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value) ?? typeof value;
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
