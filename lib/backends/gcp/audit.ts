import { decisionFindings } from "../../audit/decisions";
import type { Finding, NotCompared } from "../../audit/finding";
import type { DocumentIR } from "../../ir/types";
import type { Plan } from "../../plan/types";
import type { TargetOf } from "../cloud-types";
import { bindingFindings, boundPrincipals, unmapped } from "./bindings";
import type { GcpDeployment } from "./deployed";
import { unparsable } from "./evaluate";

/**
 * Compares the workload identity pool providers deployed in GCP with the compiled intent: a
 * planned provider not deployed (or disabled) is `missing`; a deployed provider must decide
 * `verify`'s corpus as the intent does (`over-grant`, `under-grant`) with its own issuer,
 * audiences, mapping and condition, and with the principals the IAM policies of the files bind
 * (`boundPrincipals`), or without policies the plan's; CEL trustplane cannot parse is `risky`,
 * not decided, and so is a provider whose mapping none of the plan's principals can match when
 * there are no policies (it is not trustplane's, only its bindings say who may use it, and an
 * under-grant for every token the intent accepts would say nothing of it); a
 * provider for a declared issuer that no identity plans is `unmanaged`. When the files hold IAM
 * policies, the grants' bindings on their projects and service accounts are compared
 * (`permissions`, see `bindingFindings`); without policy files they are not.
 */
export function auditGcp(ir: DocumentIR, plan: Plan, deployment: GcpDeployment): Finding[] {
  const deployed = deployment.providers;
  const findings: Finding[] = [];
  const byName = new Map(deployed.map((p) => [p.name, p]));
  const planned = new Set<string>();
  for (const identityPlan of plan.identities) {
    const identity = ir.identities.find((i) => i.name === identityPlan.name)!;
    for (const grant of identityPlan.grants) {
      if (grant.cloud !== "gcp") continue;
      const a = grant.artefacts;
      planned.add(a.providerName);
      const at = { cloud: "gcp" as const, identity: identity.name, target: grant.target };
      const provider = byName.get(a.providerName);
      if (!provider || provider.disabled) {
        findings.push({
          ...at,
          kind: "missing",
          resource: a.providerName,
          message: `provider ${a.providerName} is ${provider ? "disabled" : "not in the files"}: run pulumi up, or pass its pool's providers list`,
        });
        continue;
      }
      const expressions = [
        ...Object.values(provider.attributeMapping),
        provider.attributeCondition,
      ];
      const unknown = unparsable(expressions);
      if (unknown.length) {
        findings.push({
          ...at,
          kind: "risky",
          resource: provider.name,
          message: `provider ${provider.name} holds CEL trustplane cannot read (${unknown.map((u) => JSON.stringify(u.slice(0, 80))).join(", ")}): its decisions were not compared`,
        });
        continue;
      }
      const target = ir.targets.get(grant.target) as TargetOf<"gcp">;
      const bound = deployment.policies && boundPrincipals(grant, target, deployment.policies);
      if (!bound && unmapped(a.principals, provider.attributeMapping)) {
        findings.push({
          ...at,
          kind: "risky",
          resource: provider.name,
          message: `provider ${provider.name} maps no attribute the plan's principals name (${a.principals.join(", ")}): trustplane did not make it as it stands, and only its IAM bindings say which tokens may act; its decisions were not compared: pass the IAM policy of ${a.serviceAccountEmail ?? `project ${target.projectId}`}`,
        });
        continue;
      }
      const artefacts = {
        ...a,
        issuerUri: provider.issuerUri,
        allowedAudiences: provider.allowedAudiences,
        attributeMapping: provider.attributeMapping,
        attributeCondition: provider.attributeCondition,
        principals: bound?.members ?? a.principals,
      };
      // without the policies, the decisions hold only if the bindings are the plan's
      const what = bound
        ? `provider ${provider.name} with ${bound.where}`
        : `provider ${provider.name}, if its principals are the plan's (no IAM policy in the files),`;
      findings.push(
        ...decisionFindings(identity, ir, grant, { ...grant, artefacts }, provider.name, what),
      );
    }
  }
  const issuers = new Set(ir.identities.map((i) => i.issuer.url));
  const shared = new Map(
    ir.identities.filter((i) => i.issuer.shared).map((i) => [i.issuer.url, i.issuer.label]),
  );
  for (const p of deployed) {
    // unsafe whatever the intent says: every customer of a shared issuer gets through
    if (!p.disabled && shared.has(p.issuerUri) && p.attributeCondition.trim() === "true")
      findings.push({
        kind: "risky",
        cloud: "gcp",
        resource: p.name,
        message: `provider ${p.name} trusts ${shared.get(p.issuerUri)!} (${p.issuerUri}) without an attribute condition: every customer of the shared issuer can exchange tokens`,
      });
  }
  for (const p of deployed) {
    if (planned.has(p.name) || p.disabled || !issuers.has(p.issuerUri)) continue;
    findings.push({
      kind: "unmanaged",
      cloud: "gcp",
      resource: p.name,
      message: `provider ${p.name} trusts ${p.issuerUri}, an issuer of the intent, but no identity of the intent plans it: remove it, or import it into the intent`,
    });
  }
  if (deployment.policies) findings.push(...bindingFindings(ir, plan, deployment.policies));
  return findings;
}

/**
 * What `auditGcp` could not compare in this deployment: the IAM bindings of the intent's grants,
 * when no IAM policy was read (none of the files, nor the stack exports, holds one).
 */
export function gcpNotCompared(plan: Plan, deployment: GcpDeployment): NotCompared[] {
  const planned = plan.identities.some((i) => i.grants.some((g) => g.cloud === "gcp"));
  if (!planned || deployment.policies) return [];
  return [
    {
      cloud: "gcp",
      what: "permissions (IAM bindings on the grants' projects and service accounts)",
      why: "no IAM policies read: pass gcloud asset search-all-iam-policies, or get-iam-policy wrapped as {resource, policy}",
    },
  ];
}
