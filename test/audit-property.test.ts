import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { Finding } from "../lib/audit/finding";
import { auditAws } from "../lib/backends/aws/audit";
import type { AwsDeployment } from "../lib/backends/aws/deployed";
import { auditAzure } from "../lib/backends/azure/audit";
import type { AzureDeployment, DeployedCredential } from "../lib/backends/azure/deployed";
import { identityId } from "../lib/backends/azure/deployed";
import type { DeployedRoleAssignment } from "../lib/backends/azure/role-assignments";
import { auditGcp } from "../lib/backends/gcp/audit";
import type { GcpDeployment } from "../lib/backends/gcp/deployed";
import type { DeployedIamPolicy } from "../lib/backends/gcp/iam-policies";
import { corpus } from "../lib/inspect/corpus";
import { audiencesOf, claimString, intentAccepts } from "../lib/inspect/token-claims";
import { uuidV5 } from "../lib/internal/names";
import type { DocumentIR, IdentityIR } from "../lib/ir/types";
import type { Plan } from "../lib/plan/types";
import { compiled, documents } from "./support/random-documents";

interface Deployed {
  aws: { roles: AwsDeployment["roles"][number][]; providers: AwsDeployment["providers"][number][] };
  azure: AzureDeployment & { credentials: DeployedCredential[] };
  gcp: GcpDeployment;
}

/** What `pulumi up` of the plan deployed, in the shapes the clouds' CLI outputs are read into. */
function deployedOf(ir: DocumentIR, plan: Plan): Deployed {
  const grants = plan.identities.flatMap((i) => i.grants);
  const credentials: DeployedCredential[] = [];
  const identities: AzureDeployment["identities"][number][] = [];
  const roleAssignments: DeployedRoleAssignment[] = [];
  const gcp: GcpDeployment["providers"][number][] = [];
  const policies = new Map<string, Map<string, string[]>>();
  const bind = (resource: string, role: string, member: string) => {
    const roles = policies.get(resource) ?? new Map<string, string[]>();
    roles.set(role, [...(roles.get(role) ?? []), member]);
    policies.set(resource, roles);
  };
  const providers = new Map<string, AwsDeployment["providers"][number]>();
  const roles: AwsDeployment["roles"][number][] = [];
  for (const g of grants) {
    if (g.cloud === "aws") {
      const a = g.artefacts;
      roles.push({
        arn: a.roleArn,
        name: a.roleName,
        path: a.rolePath,
        trustPolicy: structuredClone(a.trustPolicy) as unknown as Record<string, unknown>,
        managedPolicyArns: [...a.managedPolicyArns],
        inlinePolicies: structuredClone(a.inlinePolicies),
        sources: ["export"],
      });
      providers.set(a.providerArn, {
        arn: a.providerArn,
        url: a.providerUrl,
        clientIds: [...a.clientIds],
        sources: ["export"],
      });
    } else if (g.cloud === "azure") {
      const a = g.artefacts;
      const id = identityId(a.subscriptionId, a.resourceGroup, a.identityName);
      const principalId = uuidV5(id);
      identities.push({ id, name: a.identityName, principalId, source: "export" });
      for (const r of a.roleAssignments)
        roleAssignments.push({
          id: `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${r.name}`,
          principalId,
          roleDefinitionId: r.roleDefinitionId,
          scope: r.scope,
          source: "export",
        });
      for (const c of a.credentials)
        credentials.push({
          identityId: id,
          name: c.name,
          issuer: c.issuer,
          subject: c.subject,
          audiences: [c.audience],
          source: "export",
        });
    } else {
      const a = g.artefacts;
      gcp.push({
        name: a.providerName,
        issuerUri: a.issuerUri,
        allowedAudiences: [...a.allowedAudiences],
        attributeMapping: { ...a.attributeMapping },
        attributeCondition: a.attributeCondition,
        disabled: false,
        source: "export",
      });
      const project = `projects/${(ir.targets.get(g.target) as { projectId: string }).projectId}`;
      for (const b of a.projectBindings) bind(project, b.role, b.member);
      if (a.serviceAccountEmail)
        for (const p of a.principals)
          bind(
            `${project}/serviceAccounts/${a.serviceAccountEmail}`,
            "roles/iam.workloadIdentityUser",
            p,
          );
    }
  }
  const iam: DeployedIamPolicy[] = [...policies].map(([resource, byRole]) => ({
    resource,
    bindings: [...byRole].map(([role, members]) => ({ role, members })),
    sources: ["export"],
  }));
  return {
    aws: { roles, providers: [...providers.values()] },
    azure: { credentials, identities, roleAssignments },
    gcp: { providers: gcp, policies: iam },
  };
}

function auditAll(ir: DocumentIR, plan: Plan, d: Deployed): Finding[] {
  return [
    ...auditAws(ir, plan, d.aws),
    ...auditAzure(ir, plan, d.azure),
    ...auditGcp(ir, plan, d.gcp),
  ];
}

/** The resources of the credentials for GitHub pull requests: risky whatever the intent says. */
function pullRequestCredentials(ir: DocumentIR, d: Deployed): string[] {
  const github = new Set(
    ir.identities.filter((i) => i.issuer.kind === "github").map((i) => i.issuer.url),
  );
  return d.azure.credentials
    .filter((c) => github.has(c.issuer) && /:pull_request$/.test(c.subject))
    .map((c) => `${c.identityId}/federatedidentitycredentials/${c.name}`);
}

/**
 * Widens Azure credential `i` of `d` to a token the intent refuses (from its issuer, for its
 * audience): replaces its subject with that token's, or adds a credential for it. Returns false
 * when the identity has no such token.
 */
function widenAzure(ir: DocumentIR, plan: Plan, d: Deployed, i: number, pick: number): boolean {
  const c = d.azure.credentials[i]!;
  const identityPlan = plan.identities.find((p) =>
    p.grants.some(
      (g) =>
        g.cloud === "azure" &&
        identityId(
          g.artefacts.subscriptionId,
          g.artefacts.resourceGroup,
          g.artefacts.identityName,
        ) === c.identityId,
    ),
  )!;
  const identity = ir.identities.find((x) => x.name === identityPlan.name)!;
  const refused = corpus(identity, ir.identities).flatMap(({ claims }) => {
    const sub = claimString(claims, "sub");
    const audiences = audiencesOf(claims);
    const fits =
      sub !== undefined &&
      claimString(claims, "iss") === c.issuer &&
      (audiences === undefined || audiences.includes(c.audiences[0]!)) &&
      !intentAccepts(identity, claims);
    return fits ? [sub] : [];
  });
  if (refused.length === 0) return false;
  const subject = refused[pick % refused.length]!;
  if (pick % 2) d.azure.credentials[i] = { ...c, subject };
  else d.azure.credentials.push({ ...c, name: "widened", subject });
  return true;
}

/**
 * `audit` on random intents (issue 13): the deployment of a compiled plan (trust, permissions,
 * Azure role assignments with their identities, GCP policies) has no finding but the credentials
 * for GitHub pull requests, risky whatever the intent says; opening one AWS role (a trust policy
 * that checks only the audience), one GCP provider (no condition) or one Azure credential (a
 * subject, replaced or added, of a token the intent refuses) gives at least one over-grant, each
 * with a token the intent refuses. Does NOT prove that every widening is found: the corpus is
 * verify's, not every token.
 */
describe("audit on random intents", () => {
  it("finds nothing in faithful deployments, and an over-grant in every opened artefact", function () {
    this.timeout(180_000);
    let runs = 0;
    const opened = { aws: 0, azure: 0, gcp: 0 };
    fc.assert(
      fc.property(documents, fc.nat(), (g, pick) => {
        const c = compiled(g);
        if (!c) return;
        runs++;
        const d = deployedOf(c.ir, c.plan);
        const faithful = auditAll(c.ir, c.plan, d);
        assert.deepEqual(
          faithful.map((f) => `${f.kind} ${f.resource}`),
          pullRequestCredentials(c.ir, d).map((r) => `risky ${r}`),
        );
        const sizes = {
          aws: d.aws.roles.length,
          azure: d.azure.credentials.length,
          gcp: d.gcp.providers.length,
        };
        for (const cloud of ["aws", "azure", "gcp"] as const) {
          if (sizes[cloud] === 0) continue;
          const i = pick % sizes[cloud];
          // each cloud opened on its own faithful deployment
          const w = deployedOf(c.ir, c.plan);
          if (cloud === "aws") {
            const policy = w.aws.roles[i]!.trustPolicy as {
              Statement: { Condition: Record<string, Record<string, unknown>> }[];
            };
            for (const s of policy.Statement) {
              const aud = Object.entries(s.Condition.StringEquals ?? {}).filter(([k]) =>
                k.endsWith(":aud"),
              );
              s.Condition = { StringEquals: Object.fromEntries(aud) };
            }
          } else if (cloud === "azure") {
            if (!widenAzure(c.ir, c.plan, w, i, pick)) continue;
          } else {
            const providers = [...w.gcp.providers];
            providers[i] = { ...providers[i]!, attributeCondition: "true" };
            w.gcp = { ...w.gcp, providers };
          }
          opened[cloud]++;
          const over: Finding[] = auditAll(c.ir, c.plan, w).filter((f) => f.kind === "over-grant");
          assert.ok(
            over.length > 0,
            `no over-grant after opening ${cloud} #${i} of ${JSON.stringify(g.document.identities)}`,
          );
          for (const f of over) {
            const identity: IdentityIR | undefined = c.ir.identities.find(
              (x) => x.name === f.identity,
            );
            assert.ok(identity);
            assert.equal(intentAccepts(identity, f.token!), false, JSON.stringify(f.token));
          }
        }
      }),
      { numRuns: 100 },
    );
    assert.ok(
      runs >= 50 && opened.aws >= 10 && opened.azure >= 3 && opened.gcp >= 10,
      `${runs} documents, opened ${JSON.stringify(opened)}`,
    );
  });
});
