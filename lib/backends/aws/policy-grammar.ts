import type { Path } from "../../errors";
import { quote } from "../../errors";
import { isRecord } from "../../internal/own";
import { IAM_LIMITS } from "./limits";

/** One way a document breaks IAM's policy grammar: where in it, and what IAM expects there. */
export interface GrammarProblem {
  readonly at: Path;
  readonly problem: string;
}

const TOP_KEYS = new Set(["Version", "Statement"]);
const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);

/**
 * The ways an identity-based policy document (a role's inline policy) breaks the IAM policy
 * grammar, which IAM answers with MalformedPolicyDocument: `Version` 2012-10-17 or 2008-10-17
 * when present; `Statement` an object or a list of them, each with `Effect` Allow or Deny,
 * exactly one of `Action`/`NotAction` (`*` or `service:action`) and of `Resource`/`NotResource`
 * (`*` or an ARN), an alphanumeric `Sid` unique in the document, `Condition` as operator → key →
 * value(s); no `Id`, `Principal` or other keys, which identity-based policies must not hold.
 * Empty when it is a policy IAM reads.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
export function identityPolicyProblems(document: unknown): GrammarProblem[] {
  if (!isRecord(document)) return [{ at: [], problem: "a policy document is a mapping" }];
  const out: GrammarProblem[] = [];
  for (const key of Object.keys(document)) {
    if (!TOP_KEYS.has(key)) out.push({ at: [key], problem: unexpected(key, TOP_KEYS, "policy") });
  }
  const { Version: version, Statement: statement } = document;
  if (version !== undefined && version !== "2012-10-17" && version !== "2008-10-17") {
    out.push({ at: ["Version"], problem: 'Version is "2012-10-17" (or the older "2008-10-17")' });
  }
  if (statement === undefined) return [...out, { at: [], problem: "a policy holds a Statement" }];
  const list = Array.isArray(statement) ? (statement as unknown[]) : [statement];
  if (list.length === 0) out.push({ at: ["Statement"], problem: "Statement lists a statement" });
  const sids = new Set<string>();
  list.forEach((s, i) => {
    const at = Array.isArray(statement) ? ["Statement", i] : ["Statement"];
    for (const p of statementProblems(s, sids))
      out.push({ at: [...at, ...p.at], problem: p.problem });
  });
  return out;
}

function statementProblems(statement: unknown, sids: Set<string>): GrammarProblem[] {
  if (!isRecord(statement)) return [{ at: [], problem: "a statement is a mapping" }];
  const out: GrammarProblem[] = [];
  for (const key of Object.keys(statement)) {
    if (STATEMENT_KEYS.has(key)) continue;
    const why = /^(Not)?Principal$/.test(key)
      ? `${key} belongs in trust and resource policies, never in a role's own policy`
      : unexpected(key, STATEMENT_KEYS, "statement");
    out.push({ at: [key], problem: why });
  }
  const { Sid: sid, Effect: effect, Condition: condition } = statement;
  if (sid !== undefined) {
    if (typeof sid !== "string" || !/^[A-Za-z0-9]*$/.test(sid)) {
      out.push({ at: ["Sid"], problem: "a Sid holds only letters and digits" });
    } else if (sids.has(sid) && sid !== "") {
      out.push({ at: ["Sid"], problem: `Sid ${quote(sid)} is already used: each is unique` });
    } else sids.add(sid);
  }
  if (effect !== "Allow" && effect !== "Deny") {
    out.push({ at: ["Effect"], problem: 'Effect is "Allow" or "Deny"' });
  }
  out.push(
    ...either(
      statement,
      "Action",
      (v) => v === "*" || /^[A-Za-z0-9-]+:\S+$/.test(v),
      "* or service:action",
    ),
  );
  out.push(
    ...either(
      statement,
      "Resource",
      (v) => v === "*" || /^arn:[^:]+:[^:]+:[^:]*:[^:]*:\S/.test(v),
      "* or an ARN",
    ),
  );
  if (condition !== undefined && !conditionBlock(condition)) {
    out.push({
      at: ["Condition"],
      problem: "Condition maps operators to {key: value or list of values}",
    });
  }
  return out;
}

/** Exactly one of `Name` and `NotName`, a string or a non-empty list of strings that `ok` takes. */
function either(
  statement: Record<string, unknown>,
  name: "Action" | "Resource",
  ok: (value: string) => boolean,
  form: string,
): GrammarProblem[] {
  const keys = [name, `Not${name}`].filter((k) => statement[k] !== undefined);
  if (keys.length !== 1) {
    return [
      {
        at: keys.length ? [keys[1]!] : [],
        problem: `a statement holds one of ${name} and Not${name}`,
      },
    ];
  }
  const key = keys[0]!;
  const value = statement[key];
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  const bad = values.find((v) => typeof v !== "string" || !ok(v));
  if (values.length === 0 || bad !== undefined) {
    const got = values.length === 0 ? "an empty list" : JSON.stringify(bad);
    return [{ at: [key], problem: `each ${key} is ${form}, got ${got}` }];
  }
  return [];
}

function conditionBlock(condition: unknown): boolean {
  const scalar = (v: unknown) => ["string", "number", "boolean"].includes(typeof v);
  return (
    isRecord(condition) &&
    Object.values(condition).every(
      (keys) =>
        isRecord(keys) &&
        Object.values(keys).every((v) => scalar(v) || (Array.isArray(v) && v.every(scalar))),
    )
  );
}

function unexpected(key: string, allowed: ReadonlySet<string>, where: string): string {
  return `${quote(key)} is no key of a ${where} (${[...allowed].join(", ")})`;
}

/** The first character of the document IAM cannot store (outside tab, newlines, U+0020-U+00FF). */
export function unstorableCharacter(document: unknown): string | undefined {
  const text = JSON.stringify(document);
  return IAM_LIMITS.policyCharacters.test(text)
    ? undefined
    : Array.from(text).find((ch) => !/[\t\n\r\u0020-\u00ff]/.test(ch));
}
