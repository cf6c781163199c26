import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { OpenIdConnectProvider, Role, RolePolicy, RolePolicyAttachment } from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { AWS_TYPES } from "../backends/aws/grant";
import { arnParts } from "../backends/aws/names";
import type { TrustPolicy } from "../backends/aws/trust-policy";
import type { GrantPlan } from "../plan/types";
import type { CloudArgs, CloudOutputs } from "./shared";
import { adoption, planned, providerGuard, record } from "./shared";

type AwsGrant = Extract<GrantPlan, { cloud: "aws" }>;

export interface AwsTrustArgs extends CloudArgs<AwsGrant> {
  /**
   * Existing IAM OIDC providers by their planned resource name: not created, only referenced.
   * Every resource of a target waits for the target's ARNs given as Outputs (see
   * `adoptedAwsProviders`: such an ARN fails when another issuer of its URL adopts another).
   */
  readonly adopted: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * The AWS side of a TrustPlane: one IAM OIDC provider per issuer URL per account (shared by its
 * identities, client IDs = their audiences), and per grant a role whose trust policy is the
 * compiled one, with its managed and inline policies.
 */
export class AwsTrust extends pulumi.ComponentResource {
  readonly outputs: CloudOutputs = {};

  constructor(name: string, args: AwsTrustArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trustplane:aws:AwsTrust", name, {}, opts);
    const providers = new Map<string, pulumi.Output<string>>();
    const guards = new Map<string, pulumi.Output<true>>();
    for (const g of args.grants) {
      const { grant } = g;
      const a = grant.artefacts;
      const resourceOpts = { parent: this, provider: args.providers[grant.target] };
      if (!guards.has(grant.target)) {
        // an adopted ARN given as an Output is compared with the target's others once resolved
        const late = args.grants
          .filter((o) => o.grant.target === grant.target)
          .map((o) => args.adopted[planned(o.grant, AWS_TYPES.provider)])
          .filter((arn) => arn !== undefined && typeof arn !== "string");
        const account = accountGuard(grant, resourceOpts);
        guards.set(
          grant.target,
          late.length
            ? pulumi.all([account, pulumi.all(late)]).apply(() => true as const)
            : account,
        );
      }
      const guard = guards.get(grant.target)!;
      const providerName = planned(grant, AWS_TYPES.provider);
      if (!providers.has(providerName)) {
        const adopted = args.adopted[providerName];
        providers.set(
          providerName,
          adopted !== undefined
            ? pulumi.output(adopted)
            : new OpenIdConnectProvider(
                providerName,
                {
                  url: guard.apply(() => a.providerUrl),
                  clientIdLists: [...a.clientIds],
                  tags: args.tags,
                },
                {
                  ...resourceOpts,
                  ...adoption(args.existing, a.providerArn, ["clientIdLists", "tags"]),
                },
              ).arn,
        );
      }
      const role = new Role(
        planned(grant, AWS_TYPES.role),
        {
          name: guard.apply(() => a.roleName),
          path: a.rolePath,
          // the provider's ARN is the one the policy names; taking it from the provider orders creation
          assumeRolePolicy: providers
            .get(providerName)!
            .apply((arn) => JSON.stringify(withPrincipal(a.trustPolicy, arn))),
          maxSessionDuration: a.maxSessionDuration,
          permissionsBoundary: a.permissionsBoundary,
          tags: args.tags,
        },
        {
          ...resourceOpts,
          ...adoption(args.existing, a.roleName, [
            "assumeRolePolicy",
            "maxSessionDuration",
            "permissionsBoundary",
            "tags",
          ]),
        },
      );
      a.managedPolicyArns.forEach((policyArn, i) => {
        new RolePolicyAttachment(
          planned(grant, AWS_TYPES.attachment, i),
          { role: role.name, policyArn },
          { ...resourceOpts, ...adoption(args.existing, `${a.roleName}/${policyArn}`, []) },
        );
      });
      Object.entries(a.inlinePolicies).forEach(([policyName, document], i) => {
        new RolePolicy(
          planned(grant, AWS_TYPES.inlinePolicy, i),
          { role: role.id, name: policyName, policy: JSON.stringify(document) },
          {
            ...resourceOpts,
            ...adoption(args.existing, `${a.roleName}:${policyName}`, ["policy"]),
          },
        );
      });
      record(this.outputs, g, { roleArn: role.arn });
    }
    this.registerOutputs({ outputs: this.outputs });
  }
}

/** The target's account and partition, against the caller identity of its provider. */
function accountGuard(
  grant: AwsGrant,
  opts: { parent: pulumi.Resource; provider?: pulumi.ProviderResource },
): pulumi.Output<true> {
  const target = arnParts(grant.artefacts.roleArn);
  const caller = getCallerIdentityOutput({}, opts);
  return providerGuard(
    grant.target,
    caller.apply((c) => {
      const reported = c.arn ? arnParts(c.arn) : undefined;
      return [
        { what: "account", expected: target.accountId, actual: c.accountId || undefined },
        { what: "partition", expected: target.partition, actual: reported?.partition || undefined },
      ];
    }),
  );
}

/** The compiled policy with the provider ARN Pulumi resolved (the same one, unless adopted). */
function withPrincipal(policy: TrustPolicy, arn: string): TrustPolicy {
  return {
    ...policy,
    Statement: policy.Statement.map((s) => ({ ...s, Principal: { Federated: arn } })),
  };
}
