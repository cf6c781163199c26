import { decisionFindings } from "../../audit/decisions";
import type { Finding } from "../../audit/finding";
import type { DocumentIR } from "../../ir/types";
import type { Plan } from "../../plan/types";
import type { DeployedCredential } from "./deployed";
import { identityId } from "./deployed";

/**
 * Compares the federated credentials deployed in Azure with the compiled intent: a planned
 * identity with none of its credentials deployed is `missing`; the deployed credentials of a
 * planned identity must decide `verify`'s corpus (with attacker tokens shaped to the compiled
 * and deployed subjects) as the intent does (`over-grant`, `under-grant`); credentials that
 * match by expression are `risky` and not decided; credentials for a declared issuer on an
 * identity the intent does not plan are `unmanaged`. Role assignments are not compared yet.
 */
export function auditAzure(
  ir: DocumentIR,
  plan: Plan,
  deployed: readonly DeployedCredential[],
): Finding[] {
  const findings: Finding[] = [];
  const planned = new Set<string>();
  for (const identityPlan of plan.identities) {
    const identity = ir.identities.find((i) => i.name === identityPlan.name)!;
    for (const grant of identityPlan.grants) {
      if (grant.cloud !== "azure") continue;
      const a = grant.artefacts;
      const id = identityId(a.subscriptionId, a.resourceGroup, a.identityName);
      planned.add(id);
      const at = { cloud: "azure" as const, identity: identity.name, target: grant.target };
      const mine = deployed.filter((c) => c.identityId === id);
      if (mine.length === 0) {
        findings.push({
          ...at,
          kind: "missing",
          resource: id,
          message: `managed identity ${a.identityName} has no federated credential in the files: run pulumi up, or pass its az identity federated-credential list output`,
        });
        continue;
      }
      const flexible = mine.filter((c) => c.expression !== undefined);
      for (const c of flexible)
        findings.push({
          ...at,
          kind: "risky",
          resource: `${id}/federatedidentitycredentials/${c.name}`,
          message: `federated credential ${c.name} matches claims by the expression ${JSON.stringify(c.expression)}, which trustplane does not evaluate: its decisions were not compared`,
        });
      // Azure takes one audience per credential; a list is read as one credential per audience
      const credentials = mine.flatMap((c) => c.audiences.map((audience) => ({ ...c, audience })));
      const artefacts = { ...grant.artefacts, credentials };
      const what = `the credentials of ${a.identityName}`;
      if (flexible.length === 0)
        findings.push(...decisionFindings(identity, ir, grant, { ...grant, artefacts }, id, what));
    }
  }
  const issuers = new Set(ir.identities.map((i) => i.issuer.url));
  for (const c of deployed) {
    if (planned.has(c.identityId) || !issuers.has(c.issuer)) continue;
    findings.push({
      kind: "unmanaged",
      cloud: "azure",
      resource: `${c.identityId}/federatedidentitycredentials/${c.name}`,
      message: `federated credential ${c.name} (subject ${JSON.stringify(c.subject)}) trusts ${c.issuer}, an issuer of the intent, on an identity no identity of the intent plans: remove it, or import it into the intent`,
    });
  }
  return findings;
}
