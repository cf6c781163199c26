import type { Decompiled, ImportedTrust, NotImported } from "../../import/trust";
import { identityNameOf } from "../../import/trust";
import { conditionSelectors } from "./decompile-cel";
import type { DeployedProvider } from "./deployed";
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
export function decompileGcp(providers: readonly DeployedProvider[]): Decompiled<"gcp"> {
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
    const notes = [
      `the draft binds roles to the principals of provider ${providerId} its own way (attribute.${IDENTITY_ATTRIBUTE}); review the service accounts and bindings that trusted the deployed provider`,
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
          projectId: "replace-me",
          projectNumber,
          ...(poolId !== "trustplane" ? { poolId } : {}),
        },
        placeholders: { projectId: `the ID of project ${projectNumber}` },
      },
      nameKey: "providerId",
      grant: { providerId },
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
