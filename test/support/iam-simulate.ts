// Test-only: @cloud-copilot/iam-simulate and iam-policy are AGPL devDependencies; never import
// them (or this file) from lib/.
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";

const ACTION = "sts:AssumeRoleWithWebIdentity";

/**
 * Whether @cloud-copilot/iam-simulate allows `sts:AssumeRoleWithWebIdentity` by `principal` (the
 * OIDC provider ARN) on a role in the principal's account, with `policy` as the role's trust
 * policy and `context` as the request's condition keys: an independent oracle for
 * lib/backends/aws/evaluate.ts.
 *
 * `runUnsafeSimulation`, because the safe `runSimulation` silently drops the `<provider>:sub` and
 * `:aud` keys (they are not in its list of keys for the action); the policy goes in validated
 * (`createValidatedPolicy`), since 0.1.173 crashes on a raw one. A policy the validator refuses
 * throws, so a malformed generated policy cannot pass as a deny.
 *
 * @see ../../../shared/reference/evaluators.md section 1
 */
export function simulate(
  policy: unknown,
  principal: string,
  context: Readonly<Record<string, string>> | ReadonlyMap<string, string | symbol>,
): boolean {
  const resourcePolicy = createValidatedPolicy(policy, validateTrustPolicy, { name: "trust" });
  if (resourcePolicy.errors.length) {
    throw new Error(`invalid trust policy: ${JSON.stringify(resourcePolicy.errors)}`);
  }
  const entries: [string, string | symbol][] =
    context instanceof Map
      ? [...(context as ReadonlyMap<string, string | symbol>)]
      : Object.entries(context as Readonly<Record<string, string>>);
  // a claim that is not a string has no agreed model: the cross-checks never hold one
  if (entries.some(([, v]) => typeof v !== "string")) {
    throw new Error("iam-simulate has no model of a claim that is not a string");
  }
  const accountId = principal.split(":")[4] ?? "";
  const partition = principal.split(":")[1] ?? "aws";
  const verdict = runUnsafeSimulation(
    {
      request: {
        principal,
        action: ACTION,
        resource: { resource: `arn:${partition}:iam::${accountId}:role/trusted`, accountId },
        contextVariables: Object.fromEntries(entries) as Record<string, string>,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  return verdict === "Allowed";
}
