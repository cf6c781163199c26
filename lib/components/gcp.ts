import { WorkloadIdentityPool, WorkloadIdentityPoolProvider } from "@pulumi/gcp/iam";
import { getClientConfigOutput } from "@pulumi/gcp/organizations";
import { IAMMember as ProjectIAMMember } from "@pulumi/gcp/projects";
import { Account, IAMMember as ServiceAccountIAMMember } from "@pulumi/gcp/serviceaccount";
import * as pulumi from "@pulumi/pulumi";
import { GCP_TYPES } from "../backends/gcp/grant";
import type { GrantPlan } from "../plan/types";
import type { CloudArgs, CloudOutputs } from "./shared";
import { adoption, planned, record } from "./shared";

type GcpGrant = Extract<GrantPlan, { cloud: "gcp" }>;

export interface GcpTrustArgs extends CloudArgs<GcpGrant> {
  /** Existing workload identity pools by their planned resource name: not created. */
  readonly adopted: ReadonlySet<string>;
  /** Project ID per target name. */
  readonly projects: Readonly<Record<string, string>>;
}

/**
 * The GCP side of a TrustPlane: a workload identity pool per target (or an adopted one), per
 * grant a provider whose attribute condition holds the identity's selectors, and the bindings
 * of the identity's principal set: on a service account it may impersonate, or on the roles.
 */
export class GcpTrust extends pulumi.ComponentResource {
  readonly outputs: CloudOutputs = {};

  constructor(name: string, args: GcpTrustArgs, opts?: pulumi.ComponentResourceOptions) {
    super("trustplane:gcp:GcpTrust", name, {}, opts);
    const pools = new Map<string, pulumi.Resource | undefined>();
    const checked = new Set<string>();
    for (const g of args.grants) {
      const { grant } = g;
      const a = grant.artefacts;
      const project = args.projects[grant.target]!;
      const resourceOpts = { parent: this, provider: args.providers[grant.target] };
      if (!checked.has(grant.target)) {
        checked.add(grant.target);
        warnOnOtherProject(this, grant.target, project, resourceOpts);
      }
      const poolName = planned(grant, GCP_TYPES.pool);
      if (!pools.has(poolName)) {
        pools.set(
          poolName,
          args.adopted.has(poolName)
            ? undefined
            : new WorkloadIdentityPool(
                poolName,
                {
                  project,
                  workloadIdentityPoolId: a.poolId,
                  displayName: a.poolId,
                  description: "Managed by trustplane",
                },
                {
                  ...resourceOpts,
                  ...adoption(
                    args.existing,
                    `projects/${project}/locations/global/workloadIdentityPools/${a.poolId}`,
                    ["displayName", "description"],
                  ),
                },
              ),
        );
      }
      const pool = pools.get(poolName);
      const dependsOn = pool ? [pool] : [];
      const provider = new WorkloadIdentityPoolProvider(
        planned(grant, GCP_TYPES.provider),
        {
          project,
          workloadIdentityPoolId: a.poolId,
          workloadIdentityPoolProviderId: a.providerId,
          attributeMapping: { ...a.attributeMapping },
          attributeCondition: a.attributeCondition,
          oidc: { issuerUri: a.issuerUri, allowedAudiences: [...a.allowedAudiences] },
        },
        {
          ...resourceOpts,
          dependsOn,
          ...adoption(
            args.existing,
            `projects/${project}/locations/global/workloadIdentityPools/${a.poolId}/providers/${a.providerId}`,
            ["attributeMapping", "attributeCondition", "oidc", "displayName", "description"],
          ),
        },
      );
      // a principal of the pool names it, and holds tokens only once the provider admits them
      const afterProvider = { ...resourceOpts, dependsOn: [provider] };
      let member: pulumi.Input<string> = a.principals[0]!;
      let bindingOpts: pulumi.CustomResourceOptions = afterProvider;
      let serviceAccountEmail: pulumi.Input<string> | undefined;
      if (a.serviceAccountId !== undefined) {
        const account = new Account(
          planned(grant, GCP_TYPES.serviceAccount),
          { project, accountId: a.serviceAccountId, displayName: `trustplane ${g.identity.name}` },
          {
            ...resourceOpts,
            ...adoption(
              args.existing,
              `projects/${project}/serviceAccounts/${a.serviceAccountEmail}`,
              ["displayName", "description"],
            ),
          },
        );
        new ServiceAccountIAMMember(
          planned(grant, GCP_TYPES.serviceAccountMember),
          { serviceAccountId: account.name, role: "roles/iam.workloadIdentityUser", member },
          afterProvider,
        );
        serviceAccountEmail = account.email;
        // the service account's e-mail orders the roles' bindings after it
        member = pulumi.interpolate`serviceAccount:${account.email}`;
        bindingOpts = resourceOpts;
      }
      a.projectBindings.forEach((binding, i) => {
        new ProjectIAMMember(
          planned(grant, GCP_TYPES.projectMember, i),
          { project, role: binding.role, member },
          bindingOpts,
        );
      });
      record(this.outputs, g, {
        workloadIdentityProvider: a.providerName,
        audience: grant.audience,
        ...(serviceAccountEmail !== undefined ? { serviceAccountEmail } : {}),
      });
    }
    this.registerOutputs({ outputs: this.outputs });
  }
}

/**
 * Every GCP resource names its project, so a provider whose default project is another one
 * cannot misplace them; it usually means credentials meant for another project, so it is said.
 */
function warnOnOtherProject(
  component: pulumi.Resource,
  target: string,
  project: string,
  opts: { parent: pulumi.Resource; provider?: pulumi.ProviderResource },
): void {
  getClientConfigOutput(opts).apply((c) => {
    if (c.project && c.project !== project) {
      void pulumi.log.warn(
        `the provider of target "${target}" defaults to project "${c.project}", not the target's "${project}": trustplane's resources name "${project}" explicitly, so check that the provider's credentials are meant for it`,
        component,
      );
    }
  });
}
