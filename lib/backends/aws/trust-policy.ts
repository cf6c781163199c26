import type { Matcher } from "../../claims/matcher";
import { finiteValues } from "../../claims/matcher";
import { projectSubject } from "../../claims/subject";
import type { Issue, Path } from "../../errors";
import { error, quote } from "../../errors";
import type { IdentityIR, SelectorIR } from "../../ir/types";
import { providerHost } from "./names";

/** An IAM role trust policy, as IAM stores it. */
export interface TrustPolicy {
  readonly Version: "2012-10-17";
  readonly Statement: readonly TrustStatement[];
}

export interface TrustStatement {
  readonly Effect: "Allow";
  readonly Principal: { readonly Federated: string };
  readonly Action: "sts:AssumeRoleWithWebIdentity";
  readonly Condition: Partial<
    Record<Operator, Readonly<Record<string, string | readonly string[]>>>
  >;
}

type Operator = "StringEquals" | "StringLike" | "Null";

/** One condition set: condition key → operator and values. AND'ed within, OR'ed across sets. */
type Conditions = Map<string, { op: Operator; values: Set<string> }>;

/**
 * The trust policy that admits exactly the identity's tokens: one statement per selector shape,
 * each checking `aud`, `sub` through the issuer's sub layout, and — where `sub` cannot decide a
 * claim — the claim's own STS condition key. A claim neither can check is an error, never
 * dropped.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 */
export function awsTrustPolicy(
  identity: IdentityIR,
  providerArn: string,
  audience: string,
): { policy: TrustPolicy; issues: Issue[] } {
  const issues: Issue[] = [];
  const host = providerHost(identity.issuer.url);
  const sets = identity.selectors.flatMap((s) =>
    selectorConditions(identity, s, host, audience, issues),
  );
  const statements = compact(sets)
    .map((set) => statement(set, providerArn))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { policy: { Version: "2012-10-17", Statement: statements }, issues };
}

function selectorConditions(
  identity: IdentityIR,
  selector: SelectorIR,
  host: string,
  audience: string,
  issues: Issue[],
): Conditions[] {
  const { issuer } = identity;
  const projection = projectSubject(selector.claims, issuer);
  const base: Conditions = new Map([
    [`${host}:aud`, { op: "StringEquals", values: new Set([audience]) }],
  ]);
  let ok = true;
  for (const [claim, why] of projection.residual) {
    const path = [...selector.path, claim];
    const m = selector.claims.get(claim)!;
    if (!issuer.awsClaimKeys.has(claim)) {
      ok = false;
      const keys = [...issuer.awsClaimKeys];
      issues.push(
        error(
          "claim_not_expressible",
          path,
          `AWS can match only sub and aud${keys.length ? ` and ${keys.join(", ")}` : ""} for ${issuer.label}, and ${why}; ${claimFix(identity, claim, m)}`,
        ),
      );
      continue;
    }
    if (claim.includes(":")) {
      ok = false;
      issues.push(
        error(
          "aws_condition_key_invalid",
          path,
          `IAM condition keys hold one ':' (between the provider and the claim), so ${JSON.stringify(`${host}:${claim}`)} is refused ("Condition can contain only one colon"); AWS cannot check ${claim}: select it only for clouds that can`,
        ),
      );
      continue;
    }
    const condition = matcherCondition(m);
    for (const v of condition.values) if (!acceptable(v, path, issues)) ok = false;
    base.set(`${host}:${claim}`, condition);
  }
  if (!ok) return [];

  const literals = projection.subjects.filter((s) => s.literal).map((s) => s.text);
  const globs = projection.subjects.filter((s) => !s.literal).map((s) => s.text);
  for (const v of [...literals, ...globs])
    if (!acceptable(v, (needle) => subjectPath(selector, needle), issues)) return [];
  if (globs.length === 1 && globs[0] === "*" && literals.length === 0) {
    if (!issuer.awsRequiresSub) return [base];
    issues.push(
      error(
        "aws_sub_required",
        selector.path,
        `IAM refuses a role that trusts ${issuer.label} unless its trust policy checks sub, and this selector accepts any sub; select claims that sub carries (or a sub pattern narrower than "*"), or leave AWS out of this identity`,
      ),
    );
    return [];
  }
  // StringLike would read a literal `*` or `?` as a wildcard, so such subjects keep StringEquals
  const likeSafe = literals.filter((v) => !/[*?]/.test(v));
  const strict = literals.filter((v) => /[*?]/.test(v));
  const out: Conditions[] = [];
  const withSub = (op: Operator, values: string[]) =>
    new Map(base).set(`${host}:sub`, { op, values: new Set(values) });
  if (globs.length) out.push(withSub("StringLike", [...likeSafe, ...globs]));
  else if (likeSafe.length) out.push(withSub("StringEquals", likeSafe));
  if (strict.length) out.push(withSub("StringEquals", strict));
  return out;
}

function matcherCondition(m: Matcher): { op: Operator; values: Set<string> } {
  if (m.kind === "absent") return { op: "Null", values: new Set(["true"]) };
  if (m.kind === "pattern") return { op: "StringLike", values: new Set([m.pattern]) };
  return { op: "StringEquals", values: new Set(finiteValues(m)) };
}

function claimFix(identity: IdentityIR, claim: string, m: Matcher): string {
  if (m.kind === "absent") return `leave out ${claim}: {absent: true} or this AWS grant`;
  const alphabet =
    identity.issuer.kind === "oidc" &&
    identity.issuer.subject &&
    !identity.issuer.claims.get(claim)?.alphabet
      ? `declare the characters of ${claim} in the issuer's alphabets if its values never hold the template's separators, `
      : "";
  return `${alphabet}select ${claim} only for clouds that can check it, or narrow the selector so that sub decides ${claim}`;
}

/**
 * Whether IAM stores a condition value as written: it reads `${` as a policy variable and holds
 * only Latin-1 (plus tab and newlines). A refusal is reported at `path`, or at the claim that
 * holds the offending text.
 */
export function acceptable(
  value: string,
  path: Path | ((needle: string) => Path),
  issues: Issue[],
): boolean {
  const at = (needle: string) => (typeof path === "function" ? path(needle) : path);
  if (value.includes("${")) {
    issues.push(
      error(
        "aws_policy_variable",
        at("${"),
        `IAM reads "\${" in a condition value as a policy variable, so ${quote(value)} would not be matched as written; AWS cannot trust a value holding "\${"`,
      ),
    );
    return false;
  }
  const bad = Array.from(value).find((ch) => !/[\t\n\r\u0020-\u00ff]/.test(ch));
  if (bad) {
    issues.push(
      error(
        "aws_character_unsupported",
        at(bad),
        `IAM policies hold only Latin-1 characters, and ${quote(value)} contains ${JSON.stringify(bad)} (U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}); AWS cannot trust this value`,
      ),
    );
    return false;
  }
  return true;
}

/** The selector entry whose own text holds `needle`, for a problem found in the sub built of several. */
function subjectPath(selector: SelectorIR, needle: string): Path {
  const found = [...selector.claims].find(([, m]) => {
    const texts = m.kind === "pattern" ? [m.pattern] : (finiteValues(m) ?? []);
    return texts.some((t) => t.includes(needle));
  });
  return found ? [...selector.path, found[0]] : selector.path;
}

/**
 * Merges condition sets that differ in one key only: (A ∧ k∈X) ∨ (A ∧ k∈Y) = A ∧ k∈X∪Y.
 * Exact values join a StringLike set only when they hold no wildcard character.
 */
function compact(sets: Conditions[]): Conditions[] {
  // merging is greedy: start from a canonical order, so the selectors' order cannot change the result
  const key = (set: Conditions) => JSON.stringify(conditionObject(set));
  const out = dedupe(sets).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  for (let merged = true; merged;) {
    merged = false;
    outer: for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const m = merge(out[i]!, out[j]!);
        if (m) {
          out.splice(j, 1);
          out[i] = m;
          merged = true;
          break outer;
        }
      }
    }
  }
  return out;
}

function merge(a: Conditions, b: Conditions): Conditions | undefined {
  if (a.size !== b.size) return undefined;
  let differing: string | undefined;
  for (const [key, x] of a) {
    const y = b.get(key);
    if (!y) return undefined;
    if (x.op === y.op && sameValues(x.values, y.values)) continue;
    if (differing !== undefined || x.op === "Null" || y.op === "Null") return undefined;
    differing = key;
  }
  if (differing === undefined) return a;
  const x = a.get(differing)!;
  const y = b.get(differing)!;
  const values = new Set([...x.values, ...y.values]);
  if (x.op === y.op) return new Map(a).set(differing, { op: x.op, values });
  const exact = x.op === "StringEquals" ? x : y;
  if ([...exact.values].some((v) => /[*?]/.test(v))) return undefined;
  return new Map(a).set(differing, { op: "StringLike", values });
}

function sameValues(x: Set<string>, y: Set<string>): boolean {
  return x.size === y.size && [...x].every((v) => y.has(v));
}

function dedupe(sets: Conditions[]): Conditions[] {
  const seen = new Map<string, Conditions>();
  for (const set of sets) seen.set(JSON.stringify(conditionObject(set)), set);
  return [...seen.values()];
}

function conditionObject(set: Conditions): TrustStatement["Condition"] {
  const out: TrustStatement["Condition"] & Record<string, unknown> = {};
  for (const op of ["StringEquals", "StringLike", "Null"] as const) {
    const keys = [...set].filter(([, c]) => c.op === op).sort(([a], [b]) => (a < b ? -1 : 1));
    if (!keys.length) continue;
    out[op] = Object.fromEntries(
      keys.map(([key, c]) => {
        const values = [...c.values].sort();
        return [key, values.length === 1 ? values[0]! : values];
      }),
    );
  }
  return out;
}

function statement(set: Conditions, federated: string): TrustStatement {
  return {
    Effect: "Allow",
    Principal: { Federated: federated },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: conditionObject(set),
  };
}

/** The size IAM counts against the trust policy quota: the JSON without whitespace. */
export function policySize(policy: TrustPolicy): number {
  return JSON.stringify(policy).length;
}
