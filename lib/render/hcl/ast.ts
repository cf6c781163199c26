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

/** Whether `value` was made by {@link expression} (and not merely shaped like one). */
export const isExpression = (value: object): value is HclExpression => expressions.has(value);
