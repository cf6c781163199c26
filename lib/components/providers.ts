import * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "../backends/cloud";
import type { Issue } from "../errors";
import { TrustplaneError, error, quote } from "../errors";
import type { IntentDocument } from "../intent/document";
import type { TrustPlaneOptions } from "./options";
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
 * reaches one of them, so the others would fail their provider check (`provider_mismatch`) half-way
 * through an `up`, or without it land in the wrong account (a second OIDC provider for one URL).
 * One `shared_provider` error per such provider, computed from the program's options alone, so
 * it is reported before anything is registered.
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

type Adoptions = NonNullable<NonNullable<TrustPlaneOptions["adopt"]>["awsOidcProviders"]>;

/** One adoption of an OIDC provider: the ARN given for a target and issuer. */
interface Adopted {
  readonly target: string;
  readonly issuer: string;
  readonly arn: pulumi.Input<string>;
}

/**
 * The ARN each adopted IAM OIDC provider stands for, by the planned name of the provider it
 * replaces (one per account and issuer URL). Issuers sharing a URL in one account must adopt
 * one ARN: plain strings are compared now, adding an issue; an ARN given as an Output or a
 * Promise can only be compared once it resolves, so the provider's ARN is then an Output that
 * fails with that issue when the values differ (the AWS component makes every resource of the
 * target wait for it, so none of them is registered then).
 */
export function adoptedAwsProviders(
  all: readonly CloudGrant[],
  adoptions: Adoptions,
  issues: Issue[],
): Record<string, pulumi.Input<string>> {
  const byName = new Map<string, Adopted[]>();
  for (const [target, byIssuer] of Object.entries(adoptions)) {
    for (const [issuer, arn] of Object.entries(byIssuer)) {
      const grant = all.find(
        ({ identity, grant }) =>
          identity.issuer === issuer && grant.target === target && grant.cloud === "aws",
      );
      if (!grant) {
        issues.push(
          error(
            "invalid_value",
            ["adopt", "awsOidcProviders", target, issuer],
            `no AWS grant of target ${quote(target)} trusts issuer ${quote(issuer)}; adopt providers the document uses`,
          ),
        );
        continue;
      }
      // the provider is the grant's first resource: its account and issuer URL name it
      const name = grant.grant.resources[0]!.name;
      byName.set(name, [...(byName.get(name) ?? []), { target, issuer, arn }]);
    }
  }
  const arns: Record<string, pulumi.Input<string>> = {};
  for (const [name, list] of byName) {
    const first = list[0]!;
    if (list.every((a) => a.arn === first.arn)) {
      arns[name] = first.arn;
    } else if (list.every((a) => typeof a.arn === "string")) {
      issues.push(
        ...disagreements(
          list,
          list.map((a) => a.arn as string),
        ),
      );
      arns[name] = first.arn;
    } else {
      arns[name] = pulumi.all(list.map((a) => a.arn)).apply((values) => {
        const found = disagreements(list, values);
        if (found.length) throw new TrustplaneError(found);
        return values[0]!;
      });
    }
  }
  return arns;
}

/** An issue for each adoption whose ARN is not the first one's. */
function disagreements(list: readonly Adopted[], values: readonly string[]): Issue[] {
  const [first] = list;
  return list.flatMap((a, i) =>
    values[i] === values[0]
      ? []
      : [
          error(
            "invalid_value",
            ["adopt", "awsOidcProviders", a.target, a.issuer],
            `issuer ${quote(a.issuer)} adopts ${quote(values[i]!)} in ${quote(a.target)}, but issuer ${quote(first!.issuer)}, with the same URL in the same account, adopts ${quote(values[0]!)}; an account has one OIDC provider per URL, so adopt the same ARN for both`,
          ),
        ],
  );
}
