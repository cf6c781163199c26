// The Pulumi programs whose mocked registration bench/pulumi.ts times, one per fresh process.
// bench/pulumi.ts transpiles this file to plain JavaScript and runs it with `node` (no tsx, no
// source maps, as a deployed program runs):
//
//   node pulumi-program.js <trustplane|baseline> <input.json> <dist/components/index.js>
//
// Both variants load the same SDK submodules before the clock starts, register under the same
// mocks, and stop the clock once every registration is drained. The last line of stdout is a
// JSON `Measurement`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { OpenIdConnectProvider, Role, RolePolicy, RolePolicyAttachment } from "@pulumi/aws/iam";
import { RoleAssignment } from "@pulumi/azure-native/authorization";
import {
  FederatedIdentityCredential,
  UserAssignedIdentity,
} from "@pulumi/azure-native/managedidentity";
import { WorkloadIdentityPool, WorkloadIdentityPoolProvider } from "@pulumi/gcp/iam";
import { IAMMember as ProjectIAMMember } from "@pulumi/gcp/projects";
import { Account, IAMMember as ServiceAccountIAMMember } from "@pulumi/gcp/serviceaccount";
import * as pulumi from "@pulumi/pulumi";
import type { TrustPlane as TrustPlaneClass, TrustPlaneArgs } from "../lib/components";
import type { GrantPlan, Plan } from "../lib/plan/types";
import { mockState } from "../test/support/mock-state";

/** What the parent writes for a child: the document, and the plan compiled from it. */
export interface ProgramInput {
  readonly document: TrustPlaneArgs;
  readonly plan: Plan;
}

/** What a child reports. */
export interface Measurement {
  /** From the first registration until every registration is drained. */
  readonly ms: number;
  /** Peak resident set of the process, in KiB. */
  readonly maxRssKiB: number;
  /** Custom resources registered, per type token. */
  readonly custom: Record<string, number>;
  /** Component resources registered. */
  readonly components: number;
}

const custom: Record<string, number> = {};
let components = 0;

/** Mocks that count registrations and compute the outputs the programs read, as the tests' do. */
const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    if (args.custom === false) components++;
    else custom[args.type] = (custom[args.type] ?? 0) + 1;
    const state = mockState(args.type, args.inputs as Record<string, unknown>);
    return { id: `${args.name}-id`, state };
  },
  call: (args) => args.inputs as Record<string, unknown>,
};

/** The variant under test: loads TrustPlane from the built package, to run the document through it. */
function trustPlane(entry: string): (input: ProgramInput) => void {
  const { TrustPlane } = createRequire(__filename)(entry) as { TrustPlane: typeof TrustPlaneClass };
  return (input) => new TrustPlane("platform", input.document);
}

/** The logical name the plan gives the `index`th resource of `type` in a grant. */
function planned(grant: GrantPlan, type: string, index = 0): string {
  return grant.resources.filter((r) => r.type === type)[index]!.name;
}

/** The baseline: the plan's resources declared directly with the SDKs, as a hand-written program would. */
function baseline({ document, plan }: ProgramInput): void {
  const oidcArns = new Map<string, pulumi.Output<string>>();
  const pools = new Set<string>();
  for (const identity of plan.identities) {
    for (const grant of identity.grants) {
      if (grant.cloud === "aws") declareAws(grant, oidcArns);
      else if (grant.cloud === "azure") declareAzure(grant);
      else {
        const target = document.targets[grant.target];
        if (target?.cloud !== "gcp") throw new Error(`${grant.target} is not a GCP target`);
        declareGcp(grant, identity.name, target.projectId, pools);
      }
    }
  }
}

/** An AWS grant: the account's OIDC provider once, the role and its policies. */
function declareAws(
  grant: Extract<GrantPlan, { cloud: "aws" }>,
  oidcArns: Map<string, pulumi.Output<string>>,
): void {
  const a = grant.artefacts;
  const providerName = planned(grant, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
  if (!oidcArns.has(providerName)) {
    const provider = new OpenIdConnectProvider(providerName, {
      url: a.providerUrl,
      clientIdLists: [...a.clientIds],
      tags: {},
    });
    oidcArns.set(providerName, provider.arn);
  }
  const role = new Role(planned(grant, "aws:iam/role:Role"), {
    name: a.roleName,
    path: a.rolePath,
    assumeRolePolicy: oidcArns.get(providerName)!.apply((arn) =>
      JSON.stringify({
        ...a.trustPolicy,
        Statement: a.trustPolicy.Statement.map((s) => ({ ...s, Principal: { Federated: arn } })),
      }),
    ),
    maxSessionDuration: a.maxSessionDuration,
    permissionsBoundary: a.permissionsBoundary,
    tags: {},
  });
  a.managedPolicyArns.forEach((policyArn, i) => {
    const name = planned(grant, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", i);
    new RolePolicyAttachment(name, { role: role.name, policyArn });
  });
  Object.entries(a.inlinePolicies).forEach(([policyName, document], i) => {
    new RolePolicy(planned(grant, "aws:iam/rolePolicy:RolePolicy", i), {
      role: role.id,
      name: policyName,
      policy: JSON.stringify(document),
    });
  });
}

/** An Azure grant: the managed identity, its credentials one after another, its role assignments. */
function declareAzure(grant: Extract<GrantPlan, { cloud: "azure" }>): void {
  const a = grant.artefacts;
  const identity = new UserAssignedIdentity(
    planned(grant, "azure-native:managedidentity:UserAssignedIdentity"),
    {
      resourceGroupName: a.resourceGroup,
      resourceName: a.identityName,
      location: a.location,
      tags: {},
    },
  );
  let previous: pulumi.Resource = identity;
  a.credentials.forEach((c, i) => {
    previous = new FederatedIdentityCredential(
      planned(grant, "azure-native:managedidentity:FederatedIdentityCredential", i),
      {
        resourceGroupName: a.resourceGroup,
        resourceName: identity.name,
        federatedIdentityCredentialResourceName: c.name,
        issuer: c.issuer,
        subject: c.subject,
        audiences: [c.audience],
      },
      { dependsOn: [previous] },
    );
  });
  a.roleAssignments.forEach((r, i) => {
    new RoleAssignment(planned(grant, "azure-native:authorization:RoleAssignment", i), {
      principalId: identity.principalId,
      principalType: r.principalType,
      roleAssignmentName: r.name,
      roleDefinitionId: r.roleDefinitionId,
      scope: r.scope,
    });
  });
}

/** A GCP grant: the target's pool once, the provider, the service account and the bindings. */
function declareGcp(
  grant: Extract<GrantPlan, { cloud: "gcp" }>,
  identityName: string,
  project: string,
  pools: Set<string>,
): void {
  const a = grant.artefacts;
  const poolName = planned(grant, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool");
  const dependsOn: pulumi.Resource[] = [];
  if (!pools.has(poolName)) {
    pools.add(poolName);
    dependsOn.push(
      new WorkloadIdentityPool(poolName, {
        project,
        workloadIdentityPoolId: a.poolId,
        displayName: a.poolId,
        description: "Managed by trustplane",
      }),
    );
  }
  const provider = new WorkloadIdentityPoolProvider(
    planned(grant, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"),
    {
      project,
      workloadIdentityPoolId: a.poolId,
      workloadIdentityPoolProviderId: a.providerId,
      attributeMapping: { ...a.attributeMapping },
      attributeCondition: a.attributeCondition,
      oidc: { issuerUri: a.issuerUri, allowedAudiences: [...a.allowedAudiences] },
    },
    { dependsOn },
  );
  let member: pulumi.Input<string> = a.principals[0]!;
  if (a.serviceAccountId !== undefined) {
    const account = new Account(planned(grant, "gcp:serviceaccount/account:Account"), {
      project,
      accountId: a.serviceAccountId,
      displayName: `trustplane ${identityName}`,
    });
    new ServiceAccountIAMMember(
      planned(grant, "gcp:serviceaccount/iAMMember:IAMMember"),
      { serviceAccountId: account.name, role: "roles/iam.workloadIdentityUser", member },
      { dependsOn: [provider] },
    );
    member = pulumi.interpolate`serviceAccount:${account.email}`;
  }
  a.projectBindings.forEach((binding, i) => {
    new ProjectIAMMember(planned(grant, "gcp:projects/iAMMember:IAMMember", i), {
      project,
      role: binding.role,
      member,
    });
  });
}

async function main(): Promise<void> {
  const [variant, inputPath, entry] = process.argv.slice(2);
  const input = JSON.parse(readFileSync(inputPath!, "utf8")) as ProgramInput;
  const program = variant === "trustplane" ? trustPlane(entry!) : baseline;
  await pulumi.runtime.setMocks(mocks, "bench", "bench", false);
  const start = performance.now();
  program(input);
  await pulumi.runtime.disconnect();
  const measurement: Measurement = {
    ms: performance.now() - start,
    maxRssKiB: process.resourceUsage().maxRSS,
    custom,
    components,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

void main();
