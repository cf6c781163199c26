/** A location in the intent document: keys and array indexes from the root. */
export type Path = readonly (string | number)[];

/**
 * Every problem trustplane reports. Codes are stable: tools may filter on them.
 * docs/cli.md lists each code with its fix.
 */
export type IssueCode =
  // the document itself
  | "invalid_syntax"
  | "unknown_key"
  | "missing_key"
  | "invalid_type"
  | "invalid_value"
  // references and names
  | "unknown_issuer"
  | "unknown_target"
  | "duplicate_identity"
  | "duplicate_grant"
  | "grant_option_mismatch"
  | "name_conflict"
  | "invalid_name"
  // claims and selectors
  | "unknown_claim"
  | "claim_not_selectable"
  | "reserved_claim"
  | "owner_not_pinned"
  | "immutable_ids_required"
  | "unsatisfiable_selector"
  // what a cloud cannot express
  | "claim_not_expressible"
  | "pattern_not_expressible"
  | "aws_policy_variable"
  | "aws_character_unsupported"
  | "aws_trust_policy_too_large"
  | "aws_sub_required"
  | "aws_condition_key_invalid"
  | "aws_too_many_client_ids"
  | "aws_too_many_providers"
  | "aws_value_too_long"
  | "aws_policy_arn_mismatch"
  | "aws_too_many_managed_policies"
  | "aws_invalid_policy"
  | "aws_inline_policies_too_large"
  | "azure_too_many_credentials"
  | "azure_value_too_long"
  | "azure_unknown_role"
  | "azure_invalid_scope"
  | "azure_region_unsupported"
  | "gcp_condition_too_long"
  // legal but risky (warnings)
  | "mutable_subject"
  | "broad_ref_trust"
  | "pattern_spans_claims"
  | "literal_wildcard"
  | "aws_unknown_managed_policy"
  | "azure_custom_audience"
  | ProgramIssueCode;

/** Problems of the Pulumi program around a document (the `TrustPlane` component's options). */
export type ProgramIssueCode =
  "missing_sdk" | "provider_mismatch" | "shared_provider" | "invalid_tag";

export type Severity = "error" | "warning";

/** One problem, phrased in the document's terms: what is wrong, what was given, how to fix it. */
export interface Issue {
  readonly code: IssueCode;
  readonly severity: Severity;
  readonly path: Path;
  readonly message: string;
}

/** Thrown by `compile` and the Pulumi components: carries every error at once. */
export class TrustplaneError extends Error {
  override readonly name = "TrustplaneError";
  constructor(readonly issues: readonly Issue[]) {
    super(`the intent has ${count(issues.length, "error")}:\n${formatIssues(issues)}`);
  }
}

export function error(code: IssueCode, path: Path, message: string): Issue {
  return { code, severity: "error", path, message };
}

export function warning(code: IssueCode, path: Path, message: string): Issue {
  return { code, severity: "warning", path, message };
}

export function isError(issue: Issue): boolean {
  return issue.severity === "error";
}

/** `identities[0].subjects[1].ref`; keys that are not identifiers are quoted. */
export function formatPath(path: Path): string {
  let out = "";
  for (const whole of path) {
    // a path names keys the user wrote, which may be huge; messages quote them in full
    const key = typeof whole === "string" && whole.length > 60 ? `${whole.slice(0, 50)}…` : whole;
    if (typeof key === "number") out += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** One line per issue, then its location: the form the CLI and `TrustplaneError` print. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues
    .map((i) => {
      const mark = i.severity === "error" ? "✖" : "⚠";
      const at = i.path.length ? `\n  → at ${formatPath(i.path)}` : "";
      return `${mark} ${i.code}: ${i.message}${at}`;
    })
    .join("\n");
}

/** `1 error`, `2 errors`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** A value quoted for a message, shortened when huge so a message stays readable. */
export function quote(value: string): string {
  const shown = value.length > 120 ? `${value.slice(0, 100)}… (${value.length} characters)` : value;
  return visible(JSON.stringify(shown));
}

/**
 * Text with the characters that would make it show otherwise than it is — control characters
 * other than tab and newline (a terminal obeys ESC sequences), DEL and C1 controls, bidirectional
 * marks, overrides and isolates, line and paragraph separators, U+FEFF — written as JSON escapes
 * (`\u202e`), which is also what they are inside a JSON string.
 */
export function visible(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
