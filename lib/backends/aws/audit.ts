import { decisionFindings } from "../../audit/decisions";
import type { Finding, NotCompared } from "../../audit/finding";
import { canonical } from "../../internal/canonical";
import { hasWildcards, literalPrefix } from "../../claims/glob";
import type { IssuerModel } from "../../claims/issuer";
import { isRecord, own } from "../../internal/own";
import type { DocumentIR, IdentityIR } from "../../ir/types";
import type { Plan } from "../../plan/types";
import type { GrantPlanOf } from "../cloud-types";
import type { AwsDeployment, DeployedRole } from "./deployed";
import { iamForm } from "./deployed";
import { providerHost } from "./names";
import type { TrustPolicy } from "./trust-policy";

/** The condition operators the evaluator decides exactly (each also with IfExists). */
const EVALUATED = new Set([
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "Null",
]);

/**
 * Compares what an AWS account deployed with the compiled intent: each planned role and OIDC
 * provider must exist (`missing`); the deployed trust policy and provider client IDs must decide
 * `verify`'s corpus — with the attacker tokens of both the compiled and the deployed `sub`
 * values — as the intent does (`over-grant`, `under-grant`, each with a token); the role's
 * policies must be the grant's (`permissions`); a role trusting a declared issuer that no
 * identity plans is `unmanaged`; a policy trustplane cannot evaluate exactly is `risky`, never
 * decided by guess.
 */
export function auditAws(ir: DocumentIR, plan: Plan, deployed: AwsDeployment): Finding[] {
  const findings: Finding[] = [];
  const roles = new Map(deployed.roles.map((r) => [r.arn, r]));
  const planned = new Set<string>();
  for (const identityPlan of plan.identities) {
    const identity = ir.identities.find((i) => i.name === identityPlan.name)!;
    for (const grant of identityPlan.grants) {
      if (grant.cloud !== "aws") continue;
      planned.add(grant.artefacts.roleArn);
      findings.push(
        ...auditGrant(identity, ir, grant, roles.get(grant.artefacts.roleArn), deployed),
      );
    }
  }
  // shadow trust: a role no identity plans that trusts the provider of a declared issuer
  const hosts = new Set(ir.identities.map((i) => providerHost(i.issuer.url)));
  for (const role of deployed.roles) {
    if (planned.has(role.arn)) continue;
    const trusted = federated(role.trustPolicy).filter((p) =>
      [...hosts].some((h) => p.endsWith(`:oidc-provider/${h}`)),
    );
    if (trusted.length)
      findings.push({
        kind: "unmanaged",
        cloud: "aws",
        resource: role.arn,
        message: `role ${role.arn} trusts ${trusted.join(", ")}, an issuer of the intent, but no identity of the intent plans it: remove it, or import it into the intent`,
      });
  }
  findings.push(...riskyOnTheirOwn(ir, deployed.roles));
  return findings;
}

/**
 * What `auditAws` could not compare in this deployment: the managed or inline policies of a
 * planned role read only from `aws iam get-role`, which lists none (its boundary is compared).
 * A planned role not deployed is a `missing` finding, not listed here.
 */
export function awsNotCompared(plan: Plan, deployed: AwsDeployment): NotCompared[] {
  const roles = new Map(deployed.roles.map((r) => [r.arn, r]));
  return plan.identities.flatMap((i) =>
    i.grants.flatMap((g) => {
      const role = g.cloud === "aws" ? roles.get(g.artefacts.roleArn) : undefined;
      if (!role) return [];
      const lacking = [
        ...(role.managedPolicyArns ? [] : ["managed"]),
        ...(role.inlinePolicies ? [] : ["inline"]),
      ];
      return lacking.length
        ? [
            {
              cloud: "aws" as const,
              what: `${lacking.join(" and ")} policies of role ${role.arn}`,
              why: "read from get-role only, which lists none: pass get-account-authorization-details",
            },
          ]
        : [];
    }),
  );
}

/**
 * Roles unsafe whatever the intent says: an Allow statement trusting the provider of a declared
 * issuer without an audience condition, or, when other organisations share the issuer, without
 * a `sub` condition (every repository of every customer could assume the role).
 */
function riskyOnTheirOwn(ir: DocumentIR, roles: readonly DeployedRole[]): Finding[] {
  const issuers = new Map(ir.identities.map((i) => [providerHost(i.issuer.url), i.issuer]));
  const out: Finding[] = [];
  for (const role of roles) {
    for (const s of statements(role.trustPolicy)) {
      if (own(s, "Effect") !== "Allow") continue;
      const principal = own(s, "Principal");
      const trusted = federated({ Statement: [s] });
      for (const [host, issuer] of issuers) {
        if (!trusted.some((p) => p.endsWith(`:oidc-provider/${host}`))) continue;
        const keys = conditionKeys(own(s, "Condition")).map((k) => k.toLowerCase());
        const missing = [
          ...(keys.includes(`${host}:aud`.toLowerCase()) ? [] : ["aud"]),
          ...(issuer.shared && !keys.includes(`${host}:sub`.toLowerCase()) ? ["sub"] : []),
        ];
        if (missing.length && principal !== undefined)
          out.push({
            kind: "risky",
            cloud: "aws",
            resource: role.arn,
            message: `role ${role.arn} trusts ${issuer.label} (${host}) without a condition on ${missing.join(" or ")}${missing.includes("sub") ? ": every customer of the shared issuer can assume it" : ": tokens minted for other audiences are accepted"}`,
          });
        for (const glob of ownerWildcards(s, host, issuer))
          out.push({
            kind: "risky",
            cloud: "aws",
            resource: role.arn,
            message: `role ${role.arn} matches sub ${JSON.stringify(glob)} on ${issuer.label}, a shared issuer: its wildcard comes before the owner is named, so other customers whose owner names start alike can assume it`,
          });
      }
    }
  }
  return out;
}

/**
 * The `sub` globs of a statement (StringLike, with or without IfExists or a set operator) whose
 * wildcard comes before the owner: on a shared issuer, their literal prefix does not pin it.
 */
function ownerWildcards(s: Record<string, unknown>, host: string, issuer: IssuerModel): string[] {
  const condition = own(s, "Condition");
  if (!issuer.shared || !isRecord(condition)) return [];
  // every value of a String operator on `host:claim`, with whether it is a glob
  const values = (claim: string) =>
    Object.entries(condition)
      .filter(([op]) => /^(For(All|Any)Values?:)?String(Equals|Like)(IfExists)?$/.test(op))
      .flatMap(([op, keys]) =>
        (isRecord(keys) ? Object.entries(keys) : [])
          .filter(([k]) => k.toLowerCase() === `${host}:${claim}`.toLowerCase())
          .flatMap(([, v]) => ([] as unknown[]).concat(v))
          .filter((v): v is string => typeof v === "string")
          .map((v) => ({ v, glob: op.includes("Like") && hasWildcards(v) })),
      );
  const pins = (claim: string, prefix: RegExp | undefined) => {
    const found = values(claim);
    return found.length > 0 && found.every((x) => !x.glob || !!prefix?.test(literalPrefix(x.v)));
  };
  // another condition may name the owner (its ID, say): then the sub wildcard is not the gate
  if (issuer.ownerPins.some((p) => p.claim !== "sub" && pins(p.claim, p.prefix))) return [];
  const prefix = issuer.ownerPins.find((p) => p.claim === "sub")?.prefix;
  return values("sub")
    .filter((x) => x.glob && !prefix?.test(literalPrefix(x.v)))
    .map((x) => x.v);
}

/** The condition keys a statement's Condition names, whatever their operators. */
function conditionKeys(condition: unknown): string[] {
  if (typeof condition !== "object" || condition === null) return [];
  return Object.values(condition).flatMap((keys: unknown) =>
    typeof keys === "object" && keys !== null ? Object.keys(keys) : [],
  );
}

function auditGrant(
  identity: IdentityIR,
  ir: DocumentIR,
  grant: GrantPlanOf<"aws">,
  role: DeployedRole | undefined,
  deployed: AwsDeployment,
): Finding[] {
  const a = grant.artefacts;
  const at = { cloud: "aws" as const, identity: identity.name, target: grant.target };
  const findings: Finding[] = [];
  const provider =
    deployed.providers.find((p) => p.arn === a.providerArn) ??
    deployed.providers.find((p) => p.arn === undefined && p.url === a.providerUrl);
  if (!provider)
    findings.push({
      ...at,
      kind: "missing",
      resource: a.providerArn,
      message: `the OIDC provider ${a.providerArn} is not in the files: deploy it, or pass its get-open-id-connect-provider output`,
    });
  if (!role) {
    findings.push({
      ...at,
      kind: "missing",
      resource: a.roleArn,
      message: `role ${a.roleArn} is not deployed (or not in the files): run pulumi up, or pass the account's get-account-authorization-details output`,
    });
    return findings;
  }
  const unevaluable = unevaluated(role.trustPolicy);
  if (unevaluable.length) {
    findings.push({
      ...at,
      kind: "risky",
      resource: role.arn,
      message: `the trust policy of ${role.arn} uses ${unevaluable.join(", ")}, which trustplane does not evaluate (a ForAnyValue condition, for one, passes when the claim is missing): its decisions were not compared; rewrite it with String and Null operators`,
    });
  } else if (provider) {
    const artefacts = {
      ...grant.artefacts,
      clientIds: provider.clientIds,
      trustPolicy: normalized(role.trustPolicy),
    };
    findings.push(
      ...decisionFindings(
        identity,
        ir,
        grant,
        { ...grant, artefacts },
        role.arn,
        `role ${role.arn}`,
      ),
    );
  }
  findings.push(...permissions(at, role, a));
  return findings;
}

/** The role's policies against the grant's: attached, inline, boundary. */
function permissions(
  at: { cloud: "aws"; identity: string; target: string },
  role: DeployedRole,
  a: GrantPlanOf<"aws">["artefacts"],
): Finding[] {
  const out: Finding[] = [];
  const add = (message: string) =>
    out.push({
      ...at,
      kind: "permissions",
      resource: role.arn,
      message: `${role.arn}: ${message}`,
    });
  if (role.managedPolicyArns) {
    const extra = role.managedPolicyArns.filter((p) => !a.managedPolicyArns.includes(p));
    const absent = a.managedPolicyArns.filter((p) => !role.managedPolicyArns!.includes(p));
    if (extra.length) add(`managed policies the grant does not attach: ${extra.join(", ")}`);
    if (absent.length) add(`managed policies of the grant not attached: ${absent.join(", ")}`);
  }
  if (role.inlinePolicies) {
    const names = new Set([...Object.keys(role.inlinePolicies), ...Object.keys(a.inlinePolicies)]);
    for (const name of [...names].sort()) {
      const deployedPolicy = own(role.inlinePolicies, name);
      const plannedPolicy = own(a.inlinePolicies, name);
      if (deployedPolicy === undefined) add(`inline policy ${name} of the grant is not deployed`);
      else if (plannedPolicy === undefined) add(`inline policy ${name} is not the grant's`);
      else if (canonical(iamForm(deployedPolicy)) !== canonical(iamForm(plannedPolicy)))
        add(`inline policy ${name} differs from the grant's`);
    }
  }
  if ((role.permissionsBoundary ?? undefined) !== (a.permissionsBoundary ?? undefined))
    add(
      `permissions boundary ${role.permissionsBoundary ?? "none"}, the grant's ${a.permissionsBoundary ?? "none"}`,
    );
  return out;
}

/** The operators and shapes of a policy that the evaluator would not decide as IAM does. */
function unevaluated(policy: Readonly<Record<string, unknown>>): string[] {
  const found = new Set<string>();
  for (const s of statements(policy)) {
    for (const key of ["NotPrincipal", "NotAction"]) if (own(s, key) !== undefined) found.add(key);
    const principal = own(s, "Principal");
    if (typeof principal === "string") found.add(`Principal ${JSON.stringify(principal)}`);
    const condition = own(s, "Condition");
    if (condition === undefined) continue;
    if (typeof condition !== "object" || condition === null) {
      found.add("a Condition that is not an object");
      continue;
    }
    for (const op of Object.keys(condition))
      if (!EVALUATED.has(op.replace(/IfExists$/, ""))) found.add(op);
  }
  return [...found];
}

export function statements(policy: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  const s = own(policy, "Statement");
  const list = Array.isArray(s) ? s : s === undefined ? [] : [s];
  return list.filter(isRecord);
}

/** The policy in the shape the evaluator reads: a list of statements, each with its conditions. */
export function normalized(policy: Readonly<Record<string, unknown>>): TrustPolicy {
  const Statement = statements(policy).map((s) => {
    const principal = own(s, "Principal");
    return {
      ...s,
      Principal: isRecord(principal) ? principal : {},
      Condition: own(s, "Condition") ?? {},
    };
  });
  return { Version: "2012-10-17", Statement } as unknown as TrustPolicy;
}

/** The Federated principals of a policy's statements (ARNs of OIDC and SAML providers). */
export function federated(policy: Readonly<Record<string, unknown>>): string[] {
  return statements(policy).flatMap((s) => {
    const p = own(s, "Principal");
    const f = isRecord(p) ? own(p, "Federated") : undefined;
    return ([] as unknown[]).concat(f ?? []).filter((x): x is string => typeof x === "string");
  });
}
