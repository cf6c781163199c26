import { globMatch } from "../../claims/glob";
import type { IssuerModel } from "../../claims/issuer";
import type { TrustPolicy, TrustStatement } from "./trust-policy";
import { providerHost } from "./names";
import { quote } from "../../errors";
import { own } from "../../internal/own";
import type { ClaimValue, TokenClaims } from "../../inspect/token-claims";
import { NOT_STRING, claimValue } from "../../inspect/token-claims";
import type { Verdict } from "../../inspect/verdict";
import { allow, deny } from "../../inspect/verdict";

/** What STS puts in the request: the provider it resolved from `iss`, and the condition keys. */
export interface StsRequest {
  readonly principal: string;
  /** Condition key (lowercase) → value; NOT_STRING for a claim that is not a string. */
  readonly context: ReadonlyMap<string, Exclude<ClaimValue, undefined>>;
}

/**
 * The request STS evaluates a trust policy with: `<provider>:sub`, `:aud`, and the claims the
 * provider exposes as condition keys (GitHub's on github.com). Other claims do not exist for IAM.
 * The condition keys are of type String: a claim of another JSON type is taken to be present and
 * to satisfy no String operator (how STS reads it is not documented).
 */
export function stsRequest(
  issuer: IssuerModel,
  iss: string,
  claims: TokenClaims,
  aud: string,
  account: { readonly partition: string; readonly accountId: string },
): StsRequest {
  const host = providerHost(iss);
  const context = new Map<string, Exclude<ClaimValue, undefined>>([
    [`${host}:aud`.toLowerCase(), aud],
  ]);
  for (const name of ["sub", ...issuer.awsClaimKeys]) {
    const value = claimValue(claims, name);
    if (value !== undefined) context.set(`${host}:${name}`.toLowerCase(), value);
  }
  return {
    principal: `arn:${account.partition}:iam::${account.accountId}:oidc-provider/${host}`,
    context,
  };
}

const ACTION = "sts:AssumeRoleWithWebIdentity";

/**
 * Evaluates a role trust policy for `sts:AssumeRoleWithWebIdentity`: an explicit Deny wins, then
 * any Allow whose principal, action and every condition hold. Conditions: the String and Null
 * operators, with `IfExists`; keys compare case-insensitively, values case-sensitively.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function evaluateTrustPolicy(policy: TrustPolicy, request: StsRequest): Verdict {
  const results = policy.Statement.map((s, i) => ({ s, i, failure: statementFailure(s, request) }));
  const denied = results.find((r) => r.s.Effect === ("Deny" as string) && r.failure === undefined);
  if (denied) return deny(`statement ${denied.i + 1} explicitly denies the request`);
  const allowed = results.find((r) => r.s.Effect === "Allow" && r.failure === undefined);
  if (allowed) return allow(`statement ${allowed.i + 1} allows it: ${holds(allowed.s, request)}`);
  const why = results
    .filter((r) => r.s.Effect === "Allow")
    .map((r) => `${policy.Statement.length > 1 ? `statement ${r.i + 1}: ` : ""}${r.failure}`);
  return deny(why.length ? why.join("; ") : "no statement allows sts:AssumeRoleWithWebIdentity");
}

function statementFailure(s: TrustStatement, request: StsRequest): string | undefined {
  const actions = ([] as string[]).concat(s.Action);
  // action names compare case-insensitively and may hold wildcards
  if (!actions.some((a) => globMatch(a.toLowerCase(), ACTION.toLowerCase()))) {
    return `the statement does not allow ${ACTION}`;
  }
  const federated = ([] as string[]).concat(s.Principal.Federated);
  if (!federated.includes(request.principal)) {
    return `the role trusts ${federated.join(", ")}, and the token's issuer is ${request.principal}`;
  }
  for (const [op, keys] of Object.entries(s.Condition)) {
    for (const [key, v] of Object.entries(keys ?? {})) {
      const failure = conditionFailure(
        op,
        key,
        ([] as string[]).concat(v as string | string[]),
        request.context,
      );
      if (failure) return failure;
    }
  }
  return undefined;
}

function conditionFailure(
  operator: string,
  key: string,
  values: readonly string[],
  context: StsRequest["context"],
): string | undefined {
  const actual = context.get(key.toLowerCase());
  const claim = key.slice(key.lastIndexOf(":") + 1);
  const ifExists = operator.endsWith("IfExists");
  const op = ifExists ? operator.slice(0, -"IfExists".length) : operator;
  if (op === "Null") {
    // several values are OR'ed, as for every operator
    if (values.some((v) => (v.toLowerCase() === "true") === (actual === undefined)))
      return undefined;
    const wantsAbsent = values.some((v) => v.toLowerCase() === "true");
    return wantsAbsent
      ? `the token carries ${claim}, and Null ${key} requires it to be absent`
      : `the token has no ${claim}, and Null ${key} requires it`;
  }
  const test = own(TESTS, op);
  if (!test) return `the operator ${operator} is not one trustplane evaluates`;
  if (actual === undefined) {
    if (ifExists || op.includes("Not")) return undefined;
    return `the token has no ${claim}, which ${operator} ${key} requires`;
  }
  if (actual === NOT_STRING)
    return `the token's ${claim} is not a string, so ${operator} ${key} fails`;
  if (test(values, actual)) return undefined;
  if (op.includes("Not")) {
    // a negated operator fails on the value it lists that the claim matches
    const hit = values.find((v) => TESTS[op.replace("Not", "")]!([v], actual))!;
    return `${claim} ${quote(actual)} matches ${quote(hit)}, which ${operator} ${key} rules out`;
  }
  return `${claim} ${quote(actual)} matched no value of ${operator} ${key} (${expected(op, values, actual)})`;
}

/** How many of a condition's values a reason lists before "and N more". */
const SHOWN_VALUES = 5;

/**
 * What a failed String condition allows: the value that differs from the claim only in case
 * (IAM compares values case-sensitively), or else its first values.
 */
function expected(op: string, values: readonly string[], actual: string): string {
  const folded =
    op === "StringEquals" || op === "StringLike"
      ? values.find((v) => TESTS[op]!([v.toLowerCase()], actual.toLowerCase()))
      : undefined;
  if (folded !== undefined)
    return `${quote(folded)} differs only in case, and IAM compares values case-sensitively`;
  if (values.length === 0) return "it lists no value";
  const more = values.length - SHOWN_VALUES;
  return `allowed: ${values.slice(0, SHOWN_VALUES).map(quote).join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}

const TESTS: Readonly<Record<string, (values: readonly string[], actual: string) => boolean>> = {
  StringEquals: (vs, a) => vs.includes(a),
  StringNotEquals: (vs, a) => !vs.includes(a),
  StringEqualsIgnoreCase: (vs, a) => vs.some((v) => v.toLowerCase() === a.toLowerCase()),
  StringNotEqualsIgnoreCase: (vs, a) => !vs.some((v) => v.toLowerCase() === a.toLowerCase()),
  StringLike: (vs, a) => vs.some((v) => globMatch(v, a)),
  StringNotLike: (vs, a) => !vs.some((v) => globMatch(v, a)),
};

/** For an allowed request: what the decisive conditions matched, shortly. */
function holds(s: TrustStatement, request: StsRequest): string {
  const parts = Object.entries(s.Condition).flatMap(([op, keys]) =>
    Object.keys(keys ?? {}).map((key) => {
      const claim = key.slice(key.lastIndexOf(":") + 1);
      const actual = request.context.get(key.toLowerCase());
      if (actual === undefined) return `${claim} absent (${op})`;
      return `${claim} ${actual === NOT_STRING ? "present" : quote(actual)} (${op})`;
    }),
  );
  return parts.join(", ");
}
