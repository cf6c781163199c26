import type { Grant, Matcher, Selector } from "../../intent/document";
import type { Decompiled, ImportedTrust, NotImported } from "../../import/trust";
import { combinations, identityNameOf } from "../../import/trust";
import { isRecord, own } from "../../internal/own";
import { federated, normalized, statements } from "./audit";
import type { AwsDeployment, DeployedRole } from "./deployed";
import { AWS_AUDIENCE, arnParts } from "./names";

/** More selectors than this from one role is a policy to rewrite, not to import. */
const MAX_SELECTORS = 64;
const OPERATORS = new Set(["StringEquals", "StringLike", "Null"]);

/**
 * Reads the roles that trust an IAM OIDC provider back into the document's terms: one trust per
 * role; each Allow statement for `sts:AssumeRoleWithWebIdentity` gives selectors (values of one
 * key OR'ed, keys AND'ed), `<host>:aud` the audience, the role's name, path and policies the
 * grant. A role the document cannot state (Deny statements, other operators or keys, several
 * providers) is skipped with the reason; roles trusting no OIDC provider are not trust to import.
 */
export function decompileAws(deployment: AwsDeployment): Decompiled<"aws"> {
  const trusts: ImportedTrust<"aws">[] = [];
  const skipped: NotImported[] = [];
  for (const role of deployment.roles) {
    const providers = federated(role.trustPolicy).filter((p) => p.includes(":oidc-provider/"));
    if (providers.length === 0) continue;
    const read = readRole(role, deployment);
    if (typeof read === "string") skipped.push({ cloud: "aws", resource: role.arn, reason: read });
    else trusts.push(read);
  }
  return { trusts, skipped };
}

function readRole(role: DeployedRole, deployment: AwsDeployment): ImportedTrust<"aws"> | string {
  const hosts = new Set<string>();
  const subjects: Selector[] = [];
  const audiences = new Set<string>();
  const notes: string[] = [];
  for (const s of statements(role.trustPolicy)) {
    const principal = own(s, "Principal");
    const trusted = isRecord(principal) ? federated({ Statement: [s] }) : [];
    const provider = trusted.find((p) => p.includes(":oidc-provider/"));
    if (own(s, "Effect") !== "Allow")
      return "it has a Deny statement: the document only allows, so import cannot state it";
    if (!provider || trusted.length > 1 || Object.keys(principal as object).length > 1) {
      notes.push(
        `a statement of ${role.arn} trusts ${JSON.stringify(principal)}, which is not an OIDC issuer: it is not in the draft`,
      );
      continue;
    }
    const actions = ([] as unknown[]).concat(own(s, "Action") ?? []);
    if (!actions.includes("sts:AssumeRoleWithWebIdentity"))
      return `a statement trusts ${provider} for ${JSON.stringify(own(s, "Action"))}, not sts:AssumeRoleWithWebIdentity`;
    const host = provider.slice(provider.indexOf(":oidc-provider/") + ":oidc-provider/".length);
    hosts.add(host);
    const read = readConditions(own(s, "Condition"), host);
    if (typeof read === "string") return read;
    read.audiences.forEach((a) => audiences.add(a));
    subjects.push(...read.selectors);
  }
  if (hosts.size !== 1)
    return `it trusts ${hosts.size} OIDC providers (${[...hosts].join(", ")}): an identity has one issuer; split the role`;
  const host = [...hosts][0]!;
  const provider = deployment.providers.find(
    (p) =>
      p.url === `https://${host}` &&
      (p.arn === undefined || arnParts(p.arn).accountId === arnParts(role.arn).accountId),
  );
  // IAM checks aud against the provider's client IDs too: without a condition those decide
  const accepted = audiences.size ? [...audiences] : (provider?.clientIds ?? [AWS_AUDIENCE]);
  if (accepted.length > 1)
    notes.push(
      `${role.arn} accepts the audiences ${accepted.join(", ")}; a grant has one, so the draft keeps ${accepted[0]}`,
    );
  if (!audiences.size && !provider)
    notes.push(
      `the trust policy of ${role.arn} has no aud condition and the files hold no provider for ${host}: the draft assumes ${AWS_AUDIENCE}`,
    );
  const { partition, accountId } = arnParts(role.arn);
  const name = identityNameOf(role.name);
  const grant: Omit<Grant, "target" | "audience"> = {
    roleName: role.name,
    ...(role.path !== "/" ? { rolePath: role.path } : {}),
    ...(role.managedPolicyArns?.length ? { managedPolicyArns: [...role.managedPolicyArns] } : {}),
    ...(role.inlinePolicies && Object.keys(role.inlinePolicies).length
      ? { inlinePolicies: role.inlinePolicies as Grant["inlinePolicies"] }
      : {}),
    ...(role.permissionsBoundary ? { permissionsBoundary: role.permissionsBoundary } : {}),
    ...(role.maxSessionDuration && role.maxSessionDuration !== 3600
      ? { maxSessionDuration: role.maxSessionDuration }
      : {}),
  };
  if (!role.managedPolicyArns || !role.inlinePolicies)
    notes.push(
      `the files hold ${role.arn} without its policies (get-role output): pass get-account-authorization-details to import them`,
    );
  return {
    cloud: "aws",
    resource: role.arn,
    name,
    issuerUrl: `https://${host}`,
    audience: accepted[0]!,
    subjects,
    target: {
      name: `aws-${accountId}`,
      config: {
        cloud: "aws",
        accountId,
        ...(partition !== "aws" ? { partition: partition as "aws-cn" | "aws-us-gov" } : {}),
      },
      placeholders: {},
    },
    nameKey: "roleName",
    grant,
    notes,
    overlay: (compiled) => ({
      ...compiled,
      trustPolicy: normalized(role.trustPolicy),
      clientIds: provider?.clientIds ?? compiled.clientIds,
    }),
  };
}

/** A statement's conditions as selectors and audiences, or why the document cannot state them. */
function readConditions(
  condition: unknown,
  host: string,
): { selectors: Selector[]; audiences: string[] } | string {
  if (condition === undefined) return { selectors: [{ sub: { pattern: "*" } }], audiences: [] };
  if (!isRecord(condition)) return "its Condition is not an object";
  const byClaim = new Map<string, Matcher[]>();
  const audiences: string[] = [];
  for (const [operator, keys] of Object.entries(condition)) {
    if (!OPERATORS.has(operator))
      return `it uses the condition operator ${operator}; import reads StringEquals, StringLike and Null`;
    if (!isRecord(keys)) return `its ${operator} condition is not an object`;
    for (const [key, raw] of Object.entries(keys)) {
      const values = ([] as unknown[]).concat(raw);
      if (!values.every((v): v is string => typeof v === "string"))
        return `its condition on ${key} holds values that are not strings`;
      const prefix = `${host}:`;
      if (!key.toLowerCase().startsWith(prefix.toLowerCase()))
        return `it has a condition on ${key}, which is not a claim of ${host}: the document cannot state it`;
      const claim = key.slice(prefix.length);
      if (claim === "aud") {
        if (operator !== "StringEquals") return `it matches aud with ${operator}`;
        audiences.push(...values);
        continue;
      }
      if (byClaim.has(claim))
        return `it has two conditions on ${key}, which the document cannot state as one selector`;
      if (operator === "Null") {
        // Null "true": the claim is absent; "false": present, with any value
        const absent = new Set(values.map((v) => v.toLowerCase()));
        if (absent.size !== 1 || !["true", "false"].includes([...absent][0]!))
          return `its Null condition on ${key} is neither "true" nor "false"`;
        byClaim.set(claim, [absent.has("true") ? { absent: true } : { pattern: "*" }]);
        continue;
      }
      byClaim.set(
        claim,
        operator === "StringLike" && values.some((v) => /[*?]/.test(v))
          ? values.map((v) => (/[*?]/.test(v) ? { pattern: v } : v))
          : [values.length === 1 ? values[0]! : { oneOf: values }],
      );
    }
  }
  if (!byClaim.size) byClaim.set("sub", [{ pattern: "*" }]);
  const selectors = combinations([...byClaim], MAX_SELECTORS);
  if (!selectors)
    return `its conditions make more than ${MAX_SELECTORS} selectors: write the role's trust as an intent by hand`;
  return { selectors, audiences };
}
