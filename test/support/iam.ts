import { globMatch } from "../../lib/claims/glob";
import type { TrustPolicy } from "../../lib/backends/aws/trust-policy";
import type { Claims } from "./tokens";

/**
 * A small evaluator of the IAM subset trustplane emits, for tests only: statements OR'ed,
 * operators and keys AND'ed, values OR'ed; StringEquals exact, StringLike with `*` and `?`,
 * Null. Condition key names compare case-insensitively, as in IAM. Independent of lib/'s
 * builders; a fuller evaluator cross-checked against @cloud-copilot/iam-simulate belongs to
 * `explain`.
 */
export function iamAllows(policy: TrustPolicy, principal: string, context: Claims): boolean {
  const lower = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return policy.Statement.some(
    (s) =>
      s.Effect === "Allow" &&
      s.Action === "sts:AssumeRoleWithWebIdentity" &&
      s.Principal.Federated === principal &&
      Object.entries(s.Condition).every(([op, keys]) =>
        Object.entries(keys ?? {}).every(([key, v]) => {
          const actual = lower.get(key.toLowerCase());
          const values = Array.isArray(v) ? (v as string[]) : [v as string];
          if (op === "Null") return values.some((x) => (x === "true") === (actual === undefined));
          if (actual === undefined) return false;
          if (op === "StringEquals") return values.includes(actual);
          if (op === "StringLike") return values.some((x) => globMatch(x, actual));
          throw new Error(`the test evaluator does not know ${op}`);
        }),
      ),
  );
}

/** A token's claims as the condition keys of a provider: `<host>:<claim>`. */
export function conditionContext(host: string, claims: Claims, aud: string): Claims {
  const context: Record<string, string> = { [`${host}:aud`]: aud };
  for (const [k, v] of Object.entries(claims)) if (v !== undefined) context[`${host}:${k}`] = v;
  return context;
}
