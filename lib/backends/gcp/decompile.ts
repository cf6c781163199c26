import type { Decompiled, ImportedTrust, NotImported } from "../../import/trust";
import { identityNameOf } from "../../import/trust";
import { conditionSelectors } from "./decompile-cel";
import type { DeployedProvider, GcpDeployment } from "./deployed";
import type { DeployedIamPolicy } from "./iam-policies";
import { IDENTITY_ATTRIBUTE } from "./grant";

const NAME =
  /^projects\/([^/]+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;

/**
 * Reads each enabled workload identity pool provider back into the document's terms: one trust
 * per provider, its attribute condition as selectors (see `conditionSelectors`), its first
 * allowed audience, its pool and ID. A provider whose condition cannot be read is skipped with
 * the reason. Who may act through the provider is decided by IAM bindings, which the draft
 * writes its own way: the notes say so, and the draft's roles come from the files' policies.
 */
export function decompileGcp({ providers, policies = [] }: GcpDeployment): Decompiled<"gcp"> {
  const trusts: ImportedTrust<"gcp">[] = [];
  const skipped: NotImported[] = [];
  for (const p of providers) {
    if (p.disabled) continue;
    const [, projectNumber = "", poolId = "", providerId = ""] = NAME.exec(p.name) ?? [];
    const subjects = conditionSelectors(p.attributeCondition, p.attributeMapping);
    if (typeof subjects === "string") {
      skipped.push({ cloud: "gcp", resource: p.name, reason: subjects });
      continue;
    }
    const name = identityNameOf(providerId);
    const access = bindingsOf(policies, p, projectNumber, poolId);
    const notes = [
      `the draft binds its roles to provider ${providerId}'s own principal (attribute.${IDENTITY_ATTRIBUTE}); the deployed bindings name the pool's principals (${access.members.join(", ") || "none in the files"}), which other providers of the pool reach too`,
      ...(p.allowedAudiences.length > 2
        ? [
            `provider ${providerId} allows the audiences ${p.allowedAudiences.join(", ")}; a grant has one, so the draft keeps ${p.allowedAudiences[0]}`,
          ]
        : []),
    ];
    trusts.push({
      cloud: "gcp",
      resource: p.name,
      name,
      issuerUrl: p.issuerUri,
      audience: p.allowedAudiences[0]!,
      subjects,
      target: {
        name: `gcp-${projectNumber}${poolId === "trustplane" ? "" : `-${poolId}`}`,
        config: {
          cloud: "gcp",
          projectId: access.projectId ?? "replace-me",
          projectNumber,
          ...(poolId !== "trustplane" ? { poolId } : {}),
        },
        placeholders: access.projectId ? {} : { projectId: `the ID of project ${projectNumber}` },
      },
      nameKey: "providerId",
      grant: { providerId, ...access.grant },
      notes,
      overlay: (compiled) => ({
        ...compiled,
        issuerUri: p.issuerUri,
        allowedAudiences: p.allowedAudiences,
        // the draft's principal names its identity by this attribute: keep it to compare exchanges
        attributeMapping: {
          ...p.attributeMapping,
          [`attribute.${IDENTITY_ATTRIBUTE}`]:
            compiled.attributeMapping[`attribute.${IDENTITY_ATTRIBUTE}`] ?? "''",
        },
        attributeCondition: p.attributeCondition,
      }),
    });
  }
  return { trusts, skipped };
}

/**
 * What the provider's principals may do, from the files' IAM policies: a service account they
 * may impersonate (`roles/iam.workloadIdentityUser`) and its project roles, else the project
 * roles bound to them directly. A principal of the pool counts for this provider unless it names
 * an attribute this provider maps to another constant (trustplane's `trustplane_identity`, one
 * per provider); those naming this provider's own constant are preferred. The project ID comes
 * from the account's e-mail or the policy's name.
 */
function bindingsOf(
  policies: readonly DeployedIamPolicy[],
  provider: DeployedProvider,
  projectNumber: string,
  poolId: string,
): {
  grant: { mode?: "direct"; serviceAccountId?: string; roles?: string[] };
  members: string[];
  projectId?: string;
} {
  const pool = `//iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}/`;
  const constant = (m: string) => {
    const [, attribute, value] = /\/attribute\.([a-z0-9_]+)\/(.+)$/.exec(m) ?? [];
    const mapped = attribute && provider.attributeMapping[`attribute.${attribute}`];
    const literal = mapped && /^\s*(['"])(.*)\1\s*$/.exec(mapped)?.[2];
    return literal === undefined || literal === "" ? undefined : literal === value;
  };
  const ofPool = (m: string) =>
    /^principal(Set)?:\/\//.test(m) && m.includes(pool) && constant(m) !== false;
  const own = (m: string) => ofPool(m) && constant(m) === true;
  const unconditional = (p: DeployedIamPolicy) => p.bindings.filter((b) => !b.condition);
  const impersonators = (p: DeployedIamPolicy) =>
    unconditional(p)
      .filter((b) => b.role === "roles/iam.workloadIdentityUser")
      .flatMap((b) => b.members.filter(ofPool));
  const accounts = policies.filter((p) => impersonators(p).length);
  const account = accounts.find((p) => impersonators(p).some(own)) ?? accounts[0];
  const email = account && /\/serviceAccounts\/([^/]+)$/.exec(account.resource)?.[1];
  const projects = policies.filter((p) => /^projects\/[^/]+$/.test(p.resource));
  const rolesOf = (member: (m: string) => boolean) =>
    [
      ...new Set(
        projects.flatMap((p) =>
          unconditional(p)
            .filter((b) => b.members.some(member))
            .map((b) => b.role),
        ),
      ),
    ].sort();
  if (email) {
    const [id, domain = ""] = email.split("@");
    const projectId = /^([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(
      domain,
    )?.[1];
    const roles = rolesOf((m) => m === `serviceAccount:${email}`);
    return {
      grant: { serviceAccountId: id!, ...(roles.length ? { roles } : {}) },
      members: impersonators(account),
      ...(projectId ? { projectId } : {}),
    };
  }
  const direct = rolesOf(ofPool);
  const members = projects.flatMap((p) => p.bindings.flatMap((b) => b.members.filter(ofPool)));
  const projectId = projects
    .map((p) => p.resource.slice("projects/".length))
    .find((id) => /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(id));
  return {
    grant: direct.length ? { mode: "direct", roles: direct } : {},
    members: [...new Set(members)],
    ...(projectId ? { projectId } : {}),
  };
}
