import type * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "../backends/cloud";
import type { Issue } from "../errors";
import { error, quote } from "../errors";
import type { IntentDocument } from "../intent/document";
import type { CloudGrant } from "./shared";

type Target = IntentDocument["targets"][string];

const CLOUD_NAMES: Readonly<Record<Cloud, string>> = { aws: "AWS", azure: "Azure", gcp: "GCP" };

/**
 * Where a target's provider, not its resources' inputs, decides that they land: the AWS account
 * (IAM resources name none), the Azure subscription (an identity names only its resource group).
 * Every GCP resource names its project, so one provider serves any number of GCP targets.
 */
function placedByProvider(target: Target): string | undefined {
  switch (target.cloud) {
    case "aws":
      return `account ${quote(target.accountId)}`;
    case "azure":
      // subscription IDs are GUIDs, which Azure compares without case
      return `subscription ${quote(target.subscriptionId.toLowerCase())}`;
    case "gcp":
      return undefined;
  }
}

/**
 * Targets of one cloud deployed through one provider (Pulumi's default provider, or one object
 * given for several targets) while they are in different accounts or subscriptions: that provider
 * reaches one of them, so the others' resources would be created in the wrong one (a second OIDC
 * provider for one URL, a role name twice). One `shared_provider` error per such provider,
 * computed from the program's options alone, so it is reported before anything is registered.
 */
export function sharedProviderIssues(
  selected: readonly CloudGrant[],
  targets: IntentDocument["targets"],
  providers: Readonly<Record<string, pulumi.ProviderResource>>,
): Issue[] {
  const groups = new Map<Cloud, Map<pulumi.ProviderResource | undefined, string[]>>();
  for (const target of new Set(selected.map((g) => g.grant.target))) {
    const { cloud } = targets[target]!;
    const byProvider =
      groups.get(cloud) ?? new Map<pulumi.ProviderResource | undefined, string[]>();
    groups.set(cloud, byProvider);
    const provider = providers[target];
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), target]);
  }
  const issues: Issue[] = [];
  for (const [cloud, byProvider] of groups) {
    const name = CLOUD_NAMES[cloud];
    for (const [provider, names] of byProvider) {
      const places = names.map((t) => placedByProvider(targets[t]!));
      if (new Set(places).size < 2) continue;
      const listed = names.map((t, i) => `${quote(t)} (${places[i]})`);
      const which = `${name} targets ${listed.slice(0, -1).join(", ")} and ${listed.at(-1)!}`;
      const fix = `, which reaches one of them: give each its own (providers: { ${names.map((t) => `${quote(t)}: …`).join(", ")} }), or deploy them from separate stacks (the option only)`;
      issues.push(
        provider === undefined
          ? error(
              "shared_provider",
              ["providers"],
              `${which} have no provider, so they would all be deployed through Pulumi's default ${name} provider${fix}`,
            )
          : error(
              "shared_provider",
              ["providers", names[1]!],
              `providers gives ${which} one provider${fix}`,
            ),
      );
    }
  }
  return issues;
}
