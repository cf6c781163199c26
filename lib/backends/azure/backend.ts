import { error, quote } from "../../errors";
import type { AzureHandoff } from "./handoff";
import { azureHandoff } from "./handoff";
import type { CloudBackend } from "../backend";
import { optionKeys } from "../backend";
import { azureGrantOptions } from "./options";
import { rows } from "../rows";
import { MAX_CREDENTIALS } from "./credentials";
import { evaluateCredentials } from "./evaluate";
import { azureGrant } from "./grant";
import { regionIssues } from "./limits";

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
  share: (grants) => ({ plans: grants.map((g) => g.plan), issues: [] }),
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
