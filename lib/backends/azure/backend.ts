import type { Issue } from "../../errors";
import { error, quote, warning } from "../../errors";
import type { AzureHandoff } from "./handoff";
import { azureHandoff } from "./handoff";
import type { CloudBackend, PlacedGrant } from "../backend";
import { optionKeys } from "../backend";
import { azureGrantOptions } from "./options";
import { rows } from "../rows";
import { MAX_CREDENTIALS } from "./credentials";
import { evaluateCredentials } from "./evaluate";
import { azureGrant } from "./grant";
import { AZURE_LIMITS, regionIssues } from "./limits";

/** Azure: a user-assigned managed identity per identity, with one federated credential per subject. */
export const azureBackend: CloudBackend<"azure", AzureHandoff> = {
  handoff: azureHandoff,
  grantKeys: ["roles", ...optionKeys(azureGrantOptions)],
  targetIssues: (target, path) => regionIssues(target.location, [...path, "location"]),
  optionIssues: (options, path) =>
    (options.roles ?? []).flatMap((role, i) =>
      typeof role === "string"
        ? [
            error(
              "grant_option_mismatch",
              [...path, "roles", i],
              `azure roles are {role, scope} objects, got ${quote(role)}; for example {role: Contributor, scope: /subscriptions/<id>/resourceGroups/<name>}`,
            ),
          ]
        : [],
    ),
  grant: azureGrant,
  share: (grants) => ({ plans: grants.map((g) => g.plan), issues: customAudiences(grants) }),
  uniqueNames: ({ artefacts: a }) => [
    {
      key: `azure ${a.subscriptionId} ${a.resourceGroup.toLowerCase()} ${a.identityName.toLowerCase()}`,
      option: "identityName",
      what: `the managed identity name ${quote(a.identityName)} in resource group ${a.resourceGroup}`,
    },
  ],
  evaluate: (_, { artefacts }, claims, audiences) =>
    evaluateCredentials(artefacts.credentials, claims, audiences),
  subPatterns: (a) => a.credentials.map((c) => c.subject),
  describe: ({ artefacts: a }) => [
    ...rows([
      [
        "identity",
        `${a.identityName} in ${a.resourceGroup} (${a.location}), subscription ${a.subscriptionId}`,
      ],
      [
        "credentials",
        `${a.credentials.length} of ${MAX_CREDENTIALS}, each an exact (issuer, subject, audience)`,
      ],
    ]),
    ...a.credentials.map((c) => `        sub = ${c.subject}`),
    ...rows(a.roleAssignments.map((r, i) => [i ? "" : "roles", `${r.role} on ${r.scope}`])),
  ],
};

/**
 * A warning per audience other than the ones Entra recommends, once at the key that sets it:
 * Azure takes it (Microsoft Graph: the audience "has no fixed value across identity providers"),
 * but tools ask for `api://AzureADTokenExchange` unless told, and older Entra text said "must be".
 * An issuer that sets `aud` itself (Pulumi Cloud) has no other to give, so its own is not flagged.
 */
function customAudiences(grants: readonly PlacedGrant<"azure">[]): Issue[] {
  const seen = new Map<string, Issue>();
  const recommended: readonly string[] = AZURE_LIMITS.recommendedAudiences;
  for (const { plan, grant, identity } of grants) {
    const own = grant.options.audience !== undefined;
    if (recommended.includes(plan.audience) || (!own && identity.issuer.audienceFixed)) continue;
    const path = own
      ? [...grant.path, "audience"]
      : ["issuers", identity.issuerName, "audiences", "azure"];
    const key = `${path.join("\n")}\n${plan.audience}`;
    if (seen.has(key)) continue;
    seen.set(
      key,
      warning(
        "azure_custom_audience",
        path,
        `Azure's federated credentials take the audience ${quote(plan.audience)}, but Microsoft recommends ${quote(recommended[0]!)}, which azure/login and the Azure SDKs request unless told otherwise (an older Entra page says "must be"); use it here and have the job request it, or keep ${quote(plan.audience)} and make sure the job requests that`,
      ),
    );
  }
  return [...seen.values()];
}
