import {
  IAM_LIMITS,
  iamTagProblem,
  policyArnParts,
  policyCharacters,
} from "../../lib/backends/aws/limits";
import { AWS_TYPES } from "../../lib/backends/aws/grant";
import { identityPolicyProblems } from "../../lib/backends/aws/policy-grammar";
import { AZURE_TYPES } from "../../lib/backends/azure/grant";
import { AZURE_LIMITS, azureTagProblem } from "../../lib/backends/azure/limits";
import { GCP_TYPES } from "../../lib/backends/gcp/grant";
import { GCP_LIMITS } from "../../lib/backends/gcp/limits";
import { gcpIdProblem } from "../../lib/backends/gcp/names";
import type { Registered } from "./mocks";

/** The account quotas the registrations were planned for (the targets' settings). */
export interface Quotas {
  readonly trustPolicy: number;
  readonly managedPolicies: number;
}

const DEFAULT_QUOTAS: Quotas = {
  trustPolicy: IAM_LIMITS.trustPolicy.default,
  managedPolicies: IAM_LIMITS.managedPolicies.default,
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `identity/target`: the grant a resource's logical name belongs to. */
const grantOf = (name: string) => name.split("/").slice(0, 2).join("/");

/**
 * Every way the registered inputs break the clouds' rules, per resource and across resources
 * (a role's policies, an identity's credentials), from the same tables the checks use
 * (lib/backends/<cloud>/limits.ts). Empty when every input would pass the clouds' validation as
 * those tables write it; says nothing of rules the tables lack.
 */
export function ruleViolations(seen: readonly Registered[], quotas = DEFAULT_QUOTAS): string[] {
  const out: string[] = [];
  const fail = (r: Registered, why: string) => out.push(`${r.type} ${r.name}: ${why}`);
  const groups = new Map<string, Registered[]>();
  const group = (key: string, r: Registered) => groups.set(key, [...(groups.get(key) ?? []), r]);
  for (const r of seen.filter((s) => s.custom)) {
    const i = r.inputs;
    const str = (key: string) => (typeof i[key] === "string" ? i[key] : "");
    const tags = (problem: (k: string, v: string) => string | undefined, count: number) => {
      const entries = Object.entries((i.tags ?? {}) as Record<string, string>);
      if (entries.length > count) fail(r, `${entries.length} tags`);
      for (const [k, v] of entries) if (problem(k, v)) fail(r, `tag ${k}: ${problem(k, v)}`);
    };
    switch (r.type) {
      case AWS_TYPES.provider: {
        const ids = (i.clientIdLists ?? []) as string[];
        if (!/^https:\/\//.test(str("url")) || str("url").length > IAM_LIMITS.providerUrlLength)
          fail(r, `url ${str("url").length} characters`);
        if (ids.length < 1 || ids.length > IAM_LIMITS.clientIds)
          fail(r, `${ids.length} client IDs`);
        if (ids.some((id) => id.length < 1 || id.length > IAM_LIMITS.clientIdLength))
          fail(r, "a client ID's length");
        tags(iamTagProblem, IAM_LIMITS.tags.count);
        break;
      }
      case AWS_TYPES.role: {
        if (!IAM_LIMITS.roleName.test(str("name"))) fail(r, `role name ${str("name")}`);
        if (!IAM_LIMITS.rolePath.test(str("path"))) fail(r, `path ${str("path")}`);
        const session = i.maxSessionDuration as number;
        const { min, max } = IAM_LIMITS.sessionDuration;
        if (!(session >= min && session <= max)) fail(r, `maxSessionDuration ${session}`);
        const trust = str("assumeRolePolicy");
        if (!IAM_LIMITS.policyCharacters.test(trust)) fail(r, "trust policy characters");
        if (policyCharacters(JSON.parse(trust)) > quotas.trustPolicy) fail(r, "trust policy size");
        const boundary = i.permissionsBoundary as string | undefined;
        if (boundary !== undefined && !policyArnParts(boundary)) fail(r, `boundary ${boundary}`);
        tags(iamTagProblem, IAM_LIMITS.tags.count);
        group(`role ${grantOf(r.name)}`, r);
        break;
      }
      case AWS_TYPES.attachment:
        if (!policyArnParts(str("policyArn"))) fail(r, `policy ARN ${str("policyArn")}`);
        group(`role ${grantOf(r.name)}`, r);
        break;
      case AWS_TYPES.inlinePolicy: {
        if (!IAM_LIMITS.policyName.test(str("name"))) fail(r, `policy name ${str("name")}`);
        if (!IAM_LIMITS.policyCharacters.test(str("policy"))) fail(r, "policy characters");
        const problems = identityPolicyProblems(JSON.parse(str("policy")));
        if (problems.length) fail(r, `grammar: ${problems[0]!.problem}`);
        group(`role ${grantOf(r.name)}`, r);
        break;
      }
      case AZURE_TYPES.identity:
        if (!AZURE_LIMITS.identityName.test(str("resourceName")))
          fail(r, `identity name ${str("resourceName")}`);
        if (Object.hasOwn(AZURE_LIMITS.credentialRegions.unsupported, str("location")))
          fail(r, `location ${str("location")}`);
        tags(azureTagProblem, AZURE_LIMITS.tags.count);
        break;
      case AZURE_TYPES.credential: {
        const { credentials } = AZURE_LIMITS;
        if (!credentials.name.test(str("federatedIdentityCredentialResourceName")))
          fail(r, "credential name");
        const audiences = (i.audiences ?? []) as string[];
        if (audiences.length !== 1) fail(r, `${audiences.length} audiences`);
        for (const v of [str("issuer"), str("subject"), ...audiences])
          if (v.length < 1 || v.length > credentials.fieldLength) fail(r, `a field of ${v.length}`);
        group(`identity ${str("resourceName")}`, r);
        break;
      }
      case AZURE_TYPES.roleAssignment:
        if (!GUID.test(str("roleAssignmentName"))) fail(r, "assignment name");
        if (i.principalType !== "ServicePrincipal") fail(r, "principal type");
        if (
          !/\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i.test(
            str("roleDefinitionId"),
          )
        )
          fail(r, "role definition ID");
        break;
      case GCP_TYPES.pool:
        if (gcpIdProblem(str("workloadIdentityPoolId"))) fail(r, "pool ID");
        if (str("displayName").length > GCP_LIMITS.displayNameLength) fail(r, "display name");
        if (str("description").length > GCP_LIMITS.descriptionLength) fail(r, "description");
        break;
      case GCP_TYPES.provider: {
        if (gcpIdProblem(str("workloadIdentityPoolProviderId"))) fail(r, "provider ID");
        if (str("attributeCondition").length > GCP_LIMITS.conditionLength) fail(r, "condition");
        const mapping = (i.attributeMapping ?? {}) as Record<string, string>;
        const { mapping: rule } = GCP_LIMITS;
        const custom = Object.keys(mapping).filter((k) => k !== "google.subject");
        if (!("google.subject" in mapping)) fail(r, "no google.subject mapping");
        if (custom.length > rule.attributes) fail(r, `${custom.length} attributes`);
        for (const k of custom) if (!rule.attributeName.test(k)) fail(r, `attribute ${k}`);
        for (const e of Object.values(mapping))
          if (e.length > rule.expressionLength) fail(r, `a mapping of ${e.length}`);
        const oidc = (i.oidc ?? {}) as { issuerUri?: string; allowedAudiences?: string[] };
        const auds = oidc.allowedAudiences ?? [];
        if (auds.length > GCP_LIMITS.allowedAudiences.count) fail(r, `${auds.length} audiences`);
        if (auds.some((a) => a.length > GCP_LIMITS.allowedAudiences.length)) fail(r, "an audience");
        if (!/^https:\/\//.test(oidc.issuerUri ?? "")) fail(r, "issuer URI");
        break;
      }
      case GCP_TYPES.serviceAccount:
        if (!GCP_LIMITS.serviceAccountId.test(str("accountId"))) fail(r, "account ID");
        if (str("displayName").length > GCP_LIMITS.serviceAccountDisplayNameLength)
          fail(r, "display name");
        break;
      case GCP_TYPES.serviceAccountMember:
      case GCP_TYPES.projectMember:
        if (!/^(roles\/|projects\/[^/]+\/roles\/|organizations\/[^/]+\/roles\/)/.test(str("role")))
          fail(r, `role ${str("role")}`);
        break;
    }
  }
  for (const [key, members] of groups) {
    if (key.startsWith("identity ")) {
      if (members.length > AZURE_LIMITS.credentials.count)
        out.push(`${key}: ${members.length} credentials`);
      const pairs = new Set(
        members.map((m) => `${String(m.inputs.issuer)}\n${String(m.inputs.subject)}`),
      );
      if (pairs.size !== members.length) out.push(`${key}: an issuer and subject twice`);
      continue;
    }
    const of = (type: string) => members.filter((m) => m.type === type);
    const attached = of(AWS_TYPES.attachment).length;
    if (attached > quotas.managedPolicies) out.push(`${key}: ${attached} managed policies`);
    const inline = of(AWS_TYPES.inlinePolicy).reduce(
      (n, m) => n + policyCharacters(JSON.parse(m.inputs.policy as string)),
      0,
    );
    if (inline > IAM_LIMITS.inlinePolicyCharacters) out.push(`${key}: inline ${inline} characters`);
  }
  return out;
}
