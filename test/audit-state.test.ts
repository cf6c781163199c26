import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { Finding } from "../lib/audit/finding";
import { readStackExport, stateOutputs } from "../lib/audit/pulumi-state";
import { AUDITS, STATE_AUDITS } from "../lib/backends/audits";
import { compileDocument } from "../lib/compile";
import { intentAccepts } from "../lib/inspect/token-claims";
import { uuidV5 } from "../lib/internal/names";
import type { Plan } from "../lib/plan/types";
import { cli } from "./support/cli";

const INTENT = join(__dirname, "..", "examples", "platform.yaml");
const { plan, ir } = compileDocument(parse(readFileSync(INTENT, "utf8")) as unknown);
const awsGrants = (p: Plan) =>
  p.identities.flatMap((i) => i.grants.flatMap((g) => (g.cloud === "aws" ? [g] : [])));
const ROLE = "arn:aws:iam::111111111111:role/api-deploy";
const ISSUER = "token.actions.githubusercontent.com";

/** The secret and integer wrappers of property-values.json (see lib/audit/pulumi-state.ts). */
const SIG = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({
  [SIG]: "1b47061264138c4ac30d75fd1eb44270",
  plaintext: JSON.stringify(value),
});
const sealed = { [SIG]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:c2VhbGVk" };

type Resource = Record<string, unknown> & { type: string; outputs: Record<string, unknown> };

/**
 * A custom resource as `pulumi stack export` writes it (resources.json, v3: urn, custom, id,
 * type, inputs, outputs, parent, provider), child of trustplane's component for its package.
 */
function resource(
  type: string,
  name: string,
  id: string,
  outputs: Record<string, unknown>,
  stack = "prod",
): Resource {
  const pkg = type.split(":")[0]!;
  const parent = `urn:pulumi:${stack}::platform::trustplane:index:TrustPlane$trustplane:${pkg}:Trust::main`;
  return {
    urn: `${parent.replace(/::main$/, "")}$${type}::${name}`,
    custom: true,
    id,
    type,
    inputs: {},
    outputs,
    parent,
    provider: `urn:pulumi:${stack}::platform::pulumi:providers:${pkg}::default::0f4e3c1d-7d7b-4d5e-9a8c-${stack.padEnd(12, "0").slice(0, 12)}`,
  };
}

/** A stack export (deployments.json, version 3) of these resources, with the stack's own. */
function stackExport(resources: Resource[], stack = "prod"): unknown {
  return {
    version: 3,
    deployment: {
      manifest: { time: "2026-12-01T00:00:00Z", magic: "0".repeat(64), version: "v3.200.0" },
      secrets_providers: { type: "passphrase", state: { salt: "v1:AAAA" } },
      resources: [
        {
          urn: `urn:pulumi:${stack}::platform::pulumi:pulumi:Stack::platform-${stack}`,
          custom: false,
          type: "pulumi:pulumi:Stack",
          outputs: {},
        },
        ...resources,
      ],
    },
  };
}

/**
 * The AWS resources `pulumi up` of the plan leaves in the state, as the AWS provider records
 * them (https://www.pulumi.com/registry/packages/aws/api-docs/iam/role/ and the pages of
 * openidconnectprovider, rolepolicyattachment, rolepolicy): the role's own policy lists as of
 * its creation (none yet, and the empty inline entry the provider writes), the attachments and
 * inline policies as their own resources, the provider's URL without its scheme.
 */
function awsState(of: Plan = plan!): Resource[] {
  const out: Resource[] = [];
  const providers = new Set<string>();
  for (const { artefacts: a } of awsGrants(of)) {
    if (!providers.has(a.providerArn)) {
      providers.add(a.providerArn);
      out.push(
        resource("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "oidc", a.providerArn, {
          arn: a.providerArn,
          url: a.providerUrl.replace("https://", ""),
          clientIdLists: [...a.clientIds],
          thumbprintLists: [],
          tags: {},
        }),
      );
    }
    out.push(
      resource("aws:iam/role:Role", a.roleName, a.roleName, {
        arn: a.roleArn,
        name: a.roleName,
        path: a.rolePath,
        assumeRolePolicy: JSON.stringify(a.trustPolicy),
        maxSessionDuration: a.maxSessionDuration,
        managedPolicyArns: [],
        inlinePolicies: [{ name: "", policy: "" }],
        permissionsBoundary: a.permissionsBoundary ?? "",
        uniqueId: "AROA1234567890EXAMPLE",
      }),
      ...a.managedPolicyArns.map((policyArn, i) =>
        resource(
          "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          `${a.roleName}/${i}`,
          `${a.roleName}-${i}`,
          {
            role: a.roleName,
            policyArn,
          },
        ),
      ),
      ...Object.entries(a.inlinePolicies).map(([name, document]) =>
        resource(
          "aws:iam/rolePolicy:RolePolicy",
          `${a.roleName}/inline/${name}`,
          `${a.roleName}:${name}`,
          {
            role: a.roleName,
            name,
            policy: JSON.stringify(document),
          },
        ),
      ),
    );
  }
  // another team's resource in the stack, with a secret trustplane never needs
  out.push(
    resource("aws:s3/bucketV2:BucketV2", "logs", "acme-logs", {
      bucket: "acme-logs",
      policy: sealed,
    }),
  );
  return out;
}

const grantsOf = <C extends "azure" | "gcp">(cloud: C, p: Plan = plan!) =>
  p.identities.flatMap((i) =>
    i.grants.flatMap((g) => (g.cloud === cloud ? [g as Extract<typeof g, { cloud: C }>] : [])),
  );
const principalOf = (name: string) => uuidV5(`principal ${name}`);

/**
 * The Azure Native resources `pulumi up` of the plan leaves in the state, keyed by their ARM
 * resource IDs (https://www.pulumi.com/registry/packages/azure-native/api-docs/managedidentity/userassignedidentity/
 * and the pages of federatedidentitycredential and authorization/roleassignment).
 */
function azureState(of: Plan = plan!): Resource[] {
  return grantsOf("azure", of).flatMap(({ artefacts: a }) => {
    const id = `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${a.identityName}`;
    return [
      resource("azure-native:managedidentity:UserAssignedIdentity", a.identityName, id, {
        name: a.identityName,
        location: a.location,
        principalId: principalOf(a.identityName),
        clientId: uuidV5(`client ${a.identityName}`),
        tenantId: a.tenantId,
        type: "Microsoft.ManagedIdentity/userAssignedIdentities",
        azureApiVersion: "2023-01-31",
      }),
      ...a.credentials.map((c) =>
        resource(
          "azure-native:managedidentity:FederatedIdentityCredential",
          `${a.identityName}/${c.name}`,
          `${id}/federatedIdentityCredentials/${c.name}`,
          { name: c.name, issuer: c.issuer, subject: c.subject, audiences: [c.audience] },
        ),
      ),
      ...a.roleAssignments.map((r) =>
        resource(
          "azure-native:authorization:RoleAssignment",
          `${a.identityName}/${r.name}`,
          `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${r.name}`,
          {
            name: r.name,
            principalId: principalOf(a.identityName),
            principalType: "ServicePrincipal",
            roleDefinitionId: r.roleDefinitionId,
            scope: r.scope,
          },
        ),
      ),
    ];
  });
}

/**
 * The GCP resources `pulumi up` of the plan leaves in the state
 * (https://www.pulumi.com/registry/packages/gcp/api-docs/iam/workloadidentitypoolprovider/ and
 * the pages of projects/iammember and serviceaccount/iammember): providers named in full, the
 * project bindings and the service accounts' workloadIdentityUser members.
 */
function gcpState(of: Plan = plan!): Resource[] {
  return grantsOf("gcp", of).flatMap(({ artefacts: a }) => [
    resource(
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      a.providerId,
      a.providerName,
      {
        name: a.providerName,
        project: "acme-prod",
        workloadIdentityPoolId: a.poolId,
        workloadIdentityPoolProviderId: a.providerId,
        attributeMapping: { ...a.attributeMapping },
        attributeCondition: a.attributeCondition,
        disabled: false,
        state: "ACTIVE",
        oidc: { issuerUri: a.issuerUri, allowedAudiences: [...a.allowedAudiences], jwksJson: "" },
      },
    ),
    ...a.projectBindings.map((b) =>
      resource(
        "gcp:projects/iAMMember:IAMMember",
        `${a.providerId}/${b.role}`,
        `acme-prod/${b.role}/${b.member}`,
        {
          project: "acme-prod",
          role: b.role,
          member: b.member,
          etag: "BwX=",
        },
      ),
    ),
    ...a.principals.flatMap((member) =>
      a.serviceAccountEmail
        ? [
            resource(
              "gcp:serviceaccount/iAMMember:IAMMember",
              `${a.providerId}/wiu`,
              `${a.serviceAccountEmail}/wiu`,
              {
                serviceAccountId: `projects/acme-prod/serviceAccounts/${a.serviceAccountEmail}`,
                role: "roles/iam.workloadIdentityUser",
                member,
                etag: "BwX=",
              },
            ),
          ]
        : [],
    ),
  ]);
}

type CliFile = { source: string; json: unknown };

/**
 * The findings of `cloud` in these stack exports and CLI outputs (read first, as the CLI does),
 * or the problems that stop reading them.
 */
function auditState(
  cloud: "azure" | "gcp",
  resources: Resource[],
  cli: CliFile[] = [],
): Finding[] | { problems: string[] } {
  const read = readStackExport("stack.json", stackExport(resources));
  assert.ok("resources" in read, JSON.stringify(read));
  const files = STATE_AUDITS[cloud].files(read.resources);
  return "problems" in files ? files : AUDITS[cloud].audit(ir!, plan!, [...cli, ...files.files]);
}

/**
 * What gcloud prints of the deployed plan: the pool's providers list, and
 * `gcloud asset search-all-iam-policies --scope=projects/acme-prod` (every binding, so the
 * project's owner too, whom no stack declares).
 */
function gcpCli(): CliFile[] {
  const grants = grantsOf("gcp");
  const providers = grants.map(({ artefacts: a }) => ({
    name: a.providerName,
    state: "ACTIVE",
    disabled: false,
    attributeCondition: a.attributeCondition,
    attributeMapping: { ...a.attributeMapping },
    oidc: { allowedAudiences: [...a.allowedAudiences], issuerUri: a.issuerUri },
  }));
  const roles = new Map<string, string[]>([["roles/owner", ["user:admin@acme.example"]]]);
  for (const b of grants.flatMap((g) => g.artefacts.projectBindings).reverse())
    roles.set(b.role, [...(roles.get(b.role) ?? []), b.member]);
  const search = [
    {
      resource: "//cloudresourcemanager.googleapis.com/projects/acme-prod",
      policy: { bindings: [...roles].map(([role, members]) => ({ role, members })) },
    },
    ...grants.flatMap(({ artefacts: a }) =>
      a.serviceAccountEmail
        ? [
            {
              resource: `//iam.googleapis.com/projects/acme-prod/serviceAccounts/${a.serviceAccountEmail}`,
              policy: { bindings: [{ role: WIU, members: [...a.principals] }] },
            },
          ]
        : [],
    ),
  ];
  return [
    { source: "providers.json", json: providers },
    { source: "policies.json", json: search },
  ];
}
const WIU = "roles/iam.workloadIdentityUser";

/**
 * What the Azure CLI prints of the deployed plan, its resource IDs cased as ARM returns them:
 * each identity's `az identity federated-credential list`, `az identity list -g identities` and
 * `az role assignment list --all` (with an assignment of a user, whom no stack declares).
 */
function azureCli(): CliFile[] {
  const grants = grantsOf("azure");
  const idOf = (name: string) =>
    `/subscriptions/00000000-0000-0000-0000-00000000000b/resourcegroups/identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const credentials = grants.map(({ artefacts: a }) => ({
    source: `${a.identityName}-credentials.json`,
    json: a.credentials.map((c) => ({
      audiences: [c.audience],
      id: `${idOf(a.identityName)}/federatedIdentityCredentials/${c.name}`,
      issuer: c.issuer,
      name: c.name,
      resourceGroup: "identities",
      subject: c.subject,
      type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    })),
  }));
  const identities = grants.map(({ artefacts: a }) => ({
    id: idOf(a.identityName),
    name: a.identityName,
    location: a.location,
    principalId: principalOf(a.identityName),
    clientId: uuidV5(`client ${a.identityName}`),
    tenantId: a.tenantId,
  }));
  const subscription = "/subscriptions/00000000-0000-0000-0000-00000000000b";
  const assignments = [
    ...grants.flatMap(({ artefacts: a }) =>
      a.roleAssignments.map((r) => ({
        id: `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${r.name}`,
        principalId: principalOf(a.identityName),
        principalType: "ServicePrincipal",
        roleDefinitionId: r.roleDefinitionId,
        scope: r.scope,
      })),
    ),
    {
      id: `${subscription}/providers/Microsoft.Authorization/roleAssignments/0e2f1d3c-aaaa-4bbb-8ccc-ddddeeeeffff`,
      principalId: "11111111-2222-4333-8444-555566667777",
      principalType: "User",
      roleDefinitionId: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`,
      roleDefinitionName: "Owner",
      scope: subscription,
    },
  ];
  return [
    ...credentials,
    { source: "identities.json", json: identities },
    { source: "assignments.json", json: assignments },
  ];
}

/** The AWS findings of these stack exports, or the problems that stop reading them. */
function auditAwsState(...exports: unknown[]): Finding[] | { problems: string[] } {
  const resources = exports.flatMap((json, i) => {
    const read = readStackExport(`stack${i}.json`, json);
    assert.ok("resources" in read, JSON.stringify(read));
    return read.resources;
  });
  const files = STATE_AUDITS.aws.files(resources.filter((r) => r.type.startsWith("aws:")));
  return "problems" in files ? files : AUDITS.aws.audit(ir!, plan!, files.files);
}

const kinds = (found: Finding[] | { problems: string[] }) =>
  "problems" in found ? found : found.map((f) => `${f.kind} ${f.resource}`);

/** The role of api-deploy in a state, for tampering. */
const apiDeployRole = (state: Resource[]) =>
  state.find((r) => r.type === "aws:iam/role:Role" && r.outputs.name === "api-deploy")!;

/**
 * `audit --pulumi-state` (issue 13): stack exports read as deployed state, on hand-made exports
 * in the format `pulumi stack export` documents (deployments.json, resources.json and
 * property-values.json in pulumi/pulumi sdk/go/common/apitype) built from the compiled platform
 * example. Proves a faithful state has no finding, that each tampering of the state gives its
 * finding, that the other ways stacks declare policies are read, that state and CLI files of
 * one role must agree, and that unreadable files and secrets exit 2 naming them. Does NOT prove
 * the AWS provider writes its outputs exactly so (that needs a real `pulumi up`).
 */
describe("audit: Pulumi stack exports", () => {
  describe("AWS", () => {
    it("finds nothing in the state of a faithful pulumi up", () => {
      assert.deepEqual(auditAwsState(stackExport(awsState())), []);
    });

    it("reports a widened sub in the state's assumeRolePolicy as an over-grant", () => {
      const state = awsState();
      const role = apiDeployRole(state);
      const policy = JSON.parse(role.outputs.assumeRolePolicy as string) as {
        Statement: { Condition: Record<string, Record<string, unknown>> }[];
      };
      const condition = policy.Statement[0]!.Condition;
      delete condition.StringEquals![`${ISSUER}:sub`];
      condition.StringLike = { [`${ISSUER}:sub`]: "repo:acme/*" };
      role.outputs.assumeRolePolicy = JSON.stringify(policy);
      const found = auditAwsState(stackExport(state));
      assert.ok(Array.isArray(found) && found.length > 0);
      const identity = ir!.identities.find((i) => i.name === "api-deploy")!;
      for (const f of found) {
        assert.equal(`${f.kind} ${f.resource}`, `over-grant ${ROLE}`);
        assert.equal(intentAccepts(identity, f.token!), false, JSON.stringify(f.token));
      }
    });

    it("reports an extra RolePolicyAttachment as permissions", () => {
      const state = awsState();
      state.push(
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", "api-deploy-admin", {
          role: "api-deploy",
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        }),
      );
      assert.deepEqual(
        (auditAwsState(stackExport(state)) as Finding[]).map((f) => f.message),
        [
          `${ROLE}: managed policies the grant does not attach: arn:aws:iam::aws:policy/AdministratorAccess`,
        ],
      );
    });

    it("reads the other ways a stack attaches policies: the role's own lists, PolicyAttachment, the exclusive set, RolePolicy", () => {
      const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
      const viaRole = awsState();
      apiDeployRole(viaRole).outputs.managedPolicyArns = [admin];
      apiDeployRole(viaRole).outputs.inlinePolicies = [{ name: "extra", policy: "{}" }];
      assert.deepEqual(
        (auditAwsState(stackExport(viaRole)) as Finding[]).map((f) => f.message),
        [
          `${ROLE}: managed policies the grant does not attach: ${admin}`,
          `${ROLE}: inline policy extra is not the grant's`,
        ],
      );
      const viaOthers = awsState();
      viaOthers.push(
        resource("aws:iam/policyAttachment:PolicyAttachment", "admins", "admins", {
          roles: ["api-deploy", "someone-else"],
          policyArn: admin,
        }),
        resource(
          "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
          "x",
          "api-deploy",
          {
            roleName: "api-deploy",
            policyArns: [
              "arn:aws:iam::aws:policy/ReadOnlyAccess",
              "arn:aws:iam::aws:policy/IAMFullAccess",
            ],
          },
        ),
        resource("aws:iam/rolePolicy:RolePolicy", "tfstate", "api-deploy:tfstate", {
          role: "api-deploy",
          name: "tfstate",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
          }),
        }),
      );
      assert.deepEqual(
        (auditAwsState(stackExport(viaOthers)) as Finding[]).map((f) => f.message),
        [
          `${ROLE}: managed policies the grant does not attach: ${admin}, arn:aws:iam::aws:policy/IAMFullAccess`,
          `${ROLE}: inline policy tfstate differs from the grant's`,
        ],
      );
    });

    it("reports a role of another stack trusting the issuer as unmanaged", () => {
      const legacy = resource(
        "aws:iam/role:Role",
        "old-deployer",
        "old-deployer",
        {
          ...apiDeployRole(awsState()).outputs,
          arn: "arn:aws:iam::111111111111:role/old-deployer",
          name: "old-deployer",
        },
        "legacy",
      );
      assert.deepEqual(
        kinds(auditAwsState(stackExport(awsState()), stackExport([legacy], "legacy"))),
        ["unmanaged arn:aws:iam::111111111111:role/old-deployer"],
      );
    });

    it("reports a role or provider missing from the state as missing", () => {
      const withoutRole = awsState().filter((r) => r.id !== "api-deploy");
      assert.deepEqual(kinds(auditAwsState(stackExport(withoutRole))), [`missing ${ROLE}`]);
      const withoutProvider = awsState().filter((r) => !r.type.includes("openIdConnectProvider"));
      const found = auditAwsState(stackExport(withoutProvider)) as Finding[];
      assert.ok(found.length > 0);
      assert.ok(
        found.every((f) => f.kind === "missing" && f.resource.endsWith(`:oidc-provider/${ISSUER}`)),
      );
    });

    it("matches a policy resource to the role of its own account when accounts share a role name", () => {
      const other = "arn:aws:iam::222222222222:role/api-deploy";
      const twin = resource(
        "aws:iam/role:Role",
        "api-deploy",
        "api-deploy",
        { ...apiDeployRole(awsState()).outputs, arn: other },
        "staging",
      );
      const admin = resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "admin",
        "api-deploy-admin",
        { role: "api-deploy", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
        "staging",
      );
      assert.deepEqual(kinds(auditAwsState(stackExport([...awsState(), twin, admin]))), [
        `unmanaged ${other}`,
      ]);
    });

    it("reads secrets the export shows, and integers; a sealed one it needs is a problem naming it", () => {
      const shown = awsState();
      const role = apiDeployRole(shown);
      role.outputs.assumeRolePolicy = secret(role.outputs.assumeRolePolicy);
      role.outputs.maxSessionDuration = {
        [SIG]: "7eb310220ed6211bd6f147f2a75bfbb6",
        value: "3600",
      };
      assert.deepEqual(auditAwsState(stackExport(shown)), []);
      role.outputs.assumeRolePolicy = sealed;
      const found = auditAwsState(stackExport(shown));
      assert.deepEqual(found, {
        problems: [
          `stack0.json: output assumeRolePolicy of ${role.urn as string} is a secret the export holds encrypted: export with pulumi stack export --show-secrets`,
        ],
      });
    });
  });

  describe("Azure", () => {
    it("finds nothing in the state of a faithful pulumi up, with Azure Native or Classic credentials", () => {
      assert.deepEqual(auditState("azure", azureState()), []);
      const classic = azureState().map((r) =>
        r.type.endsWith(":FederatedIdentityCredential")
          ? {
              ...r,
              type: "azure:armmsi/federatedIdentityCredential:FederatedIdentityCredential",
              outputs: {
                name: r.outputs.name,
                issuer: r.outputs.issuer,
                subject: r.outputs.subject,
                audience: (r.outputs.audiences as string[])[0],
                parentId: (r.id as string).replace(/\/federatedIdentityCredentials\/.*/, ""),
                resourceGroupName: "identities",
              },
            }
          : r,
      );
      assert.deepEqual(auditState("azure", classic), []);
    });

    it("reports a credential for another repository as an over-grant, an extra role as permissions", () => {
      const state = azureState();
      const credential = state.find((r) => r.outputs.subject === "repo:acme/api:environment:qa")!;
      credential.outputs.subject = "repo:acme/forked-api:environment:qa";
      const found = auditState("azure", state) as Finding[];
      assert.ok(found.some((f) => f.kind === "over-grant" && f.identity === "api-deploy"));
      assert.ok(found.every((f) => f.kind === "over-grant" || f.kind === "under-grant"));
      const owner = resource(
        "azure-native:authorization:RoleAssignment",
        "owner",
        "/subscriptions/00000000-0000-0000-0000-00000000000b/providers/Microsoft.Authorization/roleAssignments/9d1c2a3e-1111-4222-8333-444455556666",
        {
          principalId: principalOf("api-deploy"),
          roleDefinitionId:
            "/subscriptions/00000000-0000-0000-0000-00000000000b/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
          scope: "/subscriptions/00000000-0000-0000-0000-00000000000b",
        },
      );
      const extra = auditState("azure", [...azureState(), owner]) as Finding[];
      assert.deepEqual(
        extra.map((f) => `${f.kind} ${f.identity}`),
        ["permissions api-deploy"],
      );
    });
  });

  describe("GCP", () => {
    it("finds nothing in the state of a faithful pulumi up, with members or whole policies", () => {
      assert.deepEqual(auditState("gcp", gcpState()), []);
      const members = gcpState().filter((r) => r.type === "gcp:serviceaccount/iAMMember:IAMMember");
      const policies = members.map((m) =>
        resource("gcp:serviceaccount/iAMPolicy:IAMPolicy", `${m.id as string}/policy`, "p", {
          serviceAccountId: m.outputs.serviceAccountId,
          policyData: JSON.stringify({
            bindings: [{ role: m.outputs.role, members: [m.outputs.member] }],
          }),
        }),
      );
      const viaPolicies = [
        ...gcpState().filter((r) => !members.some((m) => m.id === r.id)),
        ...policies,
      ];
      assert.deepEqual(auditState("gcp", viaPolicies), []);
    });

    it("reports a widened attribute condition as an over-grant, an extra role as permissions", () => {
      const state = gcpState();
      const provider = state.find(
        (r) => r.outputs.workloadIdentityPoolProviderId === "api-deploy",
      )!;
      provider.outputs.attributeCondition = "assertion.repository == 'acme/api'";
      const found = auditState("gcp", state) as Finding[];
      assert.ok(found.length > 0);
      assert.ok(found.every((f) => f.kind === "over-grant" && f.identity === "api-deploy"));
      const owner = resource("gcp:projects/iAMMember:IAMMember", "owner", "owner", {
        project: "acme-prod",
        role: "roles/owner",
        member: "serviceAccount:api-deploy@acme-prod.iam.gserviceaccount.com",
      });
      assert.deepEqual(
        (auditState("gcp", [...gcpState(), owner]) as Finding[]).map((f) => f.message),
        [
          "projects/acme-prod: roles/owner is bound to serviceAccount:api-deploy@acme-prod.iam.gserviceaccount.com, which the grant does not bind",
        ],
      );
    });
  });

  describe("Azure with Azure CLI outputs: the state declares a part", () => {
    const REFRESH =
      "it was removed outside the stack, or the files are not of one moment; run pulumi refresh, export the stack again and pass CLI outputs of that moment";
    const credential = (state: Resource[], subject: string) =>
      state.find((r) => r.outputs.subject === subject)!;

    it("finds nothing when the CLI lists more than the stack declares (a user's role)", () => {
      assert.deepEqual(auditState("azure", azureState(), azureCli()), []);
    });

    it("refuses a credential whose subject differs, or that its identity's list lacks", () => {
      const state = azureState();
      const changed = credential(state, "repo:acme/api:environment:qa");
      changed.outputs.subject = "repo:acme/api:environment:qa2";
      const found = auditState("azure", state, azureCli());
      assert.ok("problems" in found);
      assert.deepEqual(found.problems, [
        `stack.json: ${changed.urn as string} and api-deploy-credentials.json disagree on subject of federated credential ${changed.outputs.name as string} of ${(changed.id as string).replace(/\/federatedIdentityCredentials\/.*$/, "").toLowerCase()}: pass files of one moment`,
      ]);
      const cli = azureCli();
      const listed = cli[0]!.json as { subject: string }[];
      cli[0]!.json = listed.filter((c) => c.subject !== "repo:acme/api:environment:qa");
      const gone = credential(azureState(), "repo:acme/api:environment:qa");
      assert.deepEqual(auditState("azure", azureState(), cli), {
        problems: [
          `stack.json: ${gone.urn as string} declares federated credential ${gone.outputs.name as string} of ${(gone.id as string).replace(/\/federatedIdentityCredentials\/.*$/, "").toLowerCase()}, which api-deploy-credentials.json do not hold: ${REFRESH}`,
        ],
      });
    });

    it("refuses a role assignment the subscription's list lacks", () => {
      const cli = azureCli();
      const assignments = cli.find((f) => f.source === "assignments.json")!;
      const [dropped, ...rest] = assignments.json as { id: string }[];
      assignments.json = rest;
      const found = auditState("azure", azureState(), cli);
      assert.ok("problems" in found);
      assert.equal(found.problems.length, 1);
      assert.match(
        found.problems[0]!,
        new RegExp(
          `^stack\\.json: urn:.*RoleAssignment::.* declares role assignment ${dropped!.id}, which assignments\\.json do not hold: it was removed outside the stack`,
        ),
      );
    });
  });

  describe("GCP with gcloud outputs: the state declares a part", () => {
    const API_SA = "serviceAccount:api-deploy@acme-prod.iam.gserviceaccount.com";
    const MEMBERS = "stack.json (the IAM members on projects/acme-prod)";
    const REFRESH =
      "it was removed outside the stack, or the files are not of one moment; run pulumi refresh, export the stack again and pass CLI outputs of that moment";
    /** The search's bindings of the project, changed. */
    const withProject = (change: (bindings: { role: string; members: string[] }[]) => void) => {
      const cli = gcpCli();
      const search = cli[1]!.json as {
        policy: { bindings: { role: string; members: string[] }[] };
      }[];
      change(search[0]!.policy.bindings);
      return cli;
    };

    it("finds nothing when gcloud shows more than the stack declares (the project's owner)", () => {
      assert.deepEqual(auditState("gcp", gcpState(), gcpCli()), []);
    });

    it("refuses a member the stack adds that the policy lacks", () => {
      const cli = withProject((bindings) => {
        bindings.find((b) => b.role === "roles/run.admin")!.members = [];
      });
      assert.deepEqual(auditState("gcp", gcpState(), cli), {
        problems: [
          `${MEMBERS} declares roles/run.admin on projects/acme-prod for ${API_SA}, which policies.json do not hold: ${REFRESH}`,
        ],
      });
    });

    it("takes a stack's IAMBinding as the whole of its role, an IAMPolicy as the whole policy", () => {
      const binding = resource("gcp:projects/iAMBinding:IAMBinding", "run", "run", {
        project: "acme-prod",
        role: "roles/run.admin",
        members: [API_SA],
      });
      assert.deepEqual(auditState("gcp", [...gcpState(), binding], gcpCli()), []);
      const added = withProject((bindings) => {
        bindings.find((b) => b.role === "roles/run.admin")!.members.push("user:x@acme.example");
      });
      assert.deepEqual(auditState("gcp", [...gcpState(), binding], added), {
        problems: [
          `stack.json (the IAM bindings on projects/acme-prod) and policies.json disagree on the members of roles/run.admin on projects/acme-prod: user:x@acme.example bound outside the stack, whose IAMBinding sets them all; pass files of one moment`,
        ],
      });
      const policy = resource("gcp:projects/iAMPolicy:IAMPolicy", "all", "all", {
        project: "acme-prod",
        policyData: JSON.stringify({ bindings: [{ role: "roles/run.admin", members: [API_SA] }] }),
      });
      const found = auditState("gcp", [...gcpState(), policy], gcpCli());
      assert.ok("problems" in found);
      assert.match(
        found.problems.join("\n"),
        /^stack\.json: urn:pulumi:prod::.*IAMPolicy::all and policies\.json disagree on the policy of projects\/acme-prod: pass files of one moment$/,
      );
    });

    it("refuses a provider whose condition differs, or that its pool's list lacks", () => {
      const state = gcpState();
      const provider = state.find(
        (r) => r.outputs.workloadIdentityPoolProviderId === "api-deploy",
      )!;
      const name = provider.outputs.name as string;
      const urn = provider.urn as string;
      provider.outputs.attributeCondition = "assertion.repository == 'acme/api'";
      assert.deepEqual(auditState("gcp", state, gcpCli()), {
        problems: [
          `stack.json: ${urn} and providers.json disagree on attributeCondition of ${name}: pass files of one moment`,
        ],
      });
      const cli = gcpCli();
      cli[0]!.json = (cli[0]!.json as { name: string }[]).filter((p) => p.name !== name);
      assert.deepEqual(auditState("gcp", gcpState(), cli), {
        problems: [
          `stack.json: ${urn} declares provider ${name}, which providers.json do not hold: ${REFRESH}`,
        ],
      });
    });
  });

  describe("the CLI", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "trustplane-state-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, json: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof json === "string" ? json : JSON.stringify(json));
      return path;
    };
    /** `aws iam get-role` of api-deploy, trust policy as given. */
    const getRole = (trustPolicy: unknown) => ({
      Role: {
        Path: "/",
        RoleName: "api-deploy",
        RoleId: "AROA1234567890EXAMPLE",
        Arn: ROLE,
        CreateDate: "2026-12-01T00:00:00Z",
        AssumeRolePolicyDocument: trustPolicy,
        MaxSessionDuration: 3600,
      },
    });
    const trustPolicy = () => awsGrants(plan!)[0]!.artefacts.trustPolicy;

    it("audits the clouds the exports hold resources of, merged with the CLI files", async () => {
      const state = file("prod.json", stackExport(awsState()));
      const run = await cli("audit", INTENT, "--pulumi-state", state);
      assert.equal(run.code, 0, run.err);
      assert.match(
        run.out,
        /^no findings: what is deployed in aws is exactly the intent's trust\n/,
      );
      const everything = [...awsState(), ...azureState(), ...gcpState()];
      const all = await cli(
        "audit",
        INTENT,
        "--pulumi-state",
        file("all.json", stackExport(everything)),
        "--aws",
        file("role.json", getRole(trustPolicy())),
        "--json",
      );
      assert.equal(all.code, 0, all.err);
      assert.deepEqual((JSON.parse(all.out) as { audited: string[] }).audited, [
        "aws",
        "azure",
        "gcp",
      ]);
    });

    it("exits 2 when a CLI file and the state disagree on a role", async () => {
      const widened = structuredClone(trustPolicy()) as unknown as {
        Statement: { Condition: Record<string, unknown> }[];
      };
      widened.Statement[0]!.Condition.StringLike = { [`${ISSUER}:sub`]: "repo:acme/*" };
      const run = await cli(
        "audit",
        INTENT,
        "--aws",
        file("role.json", getRole(widened)),
        "--pulumi-state",
        file("prod.json", stackExport(awsState())),
      );
      assert.equal(run.code, 2);
      assert.match(
        run.err,
        /^trustplane: .*prod\.json: urn:pulumi:prod::platform::.*aws:iam\/role:Role::api-deploy and .*role\.json disagree on trustPolicy of arn:aws:iam::111111111111:role\/api-deploy/,
      );
    });

    it("exits 2 naming a file that is not an export, or a sealed secret it needs", async () => {
      const expected = /expected pulumi stack export output \(\{"version": 3, /;
      const notJson = await cli("audit", INTENT, "--pulumi-state", file("x.json", "{"));
      assert.equal(notJson.code, 2);
      assert.match(notJson.err, /^trustplane: cannot read .*x\.json: not JSON \(/);
      assert.match(notJson.err, expected);
      const outputs = await cli(
        "audit",
        INTENT,
        "--pulumi-state",
        file("o.json", { roleArn: ROLE }),
      );
      assert.equal(outputs.code, 2);
      assert.match(outputs.err, /^trustplane: .*o\.json is not a Pulumi stack export: /);
      const state = awsState();
      apiDeployRole(state).outputs.assumeRolePolicy = sealed;
      const secretRun = await cli(
        "audit",
        INTENT,
        "--pulumi-state",
        file("s.json", stackExport(state)),
      );
      assert.equal(secretRun.code, 2);
      assert.match(
        secretRun.err,
        /^trustplane: .*s\.json: output assumeRolePolicy of urn:pulumi:prod::platform::.*::api-deploy is a secret the export holds encrypted: export with pulumi stack export --show-secrets$/,
      );
      const misplaced = await cli("check", INTENT, "--pulumi-state", "x.json");
      assert.equal(misplaced.code, 2);
      assert.match(misplaced.err, /^trustplane: --pulumi-state belongs to audit/);
    });
  });

  describe("the export itself", () => {
    it("reads the self-managed backend's checkpoint file, and leaves out what is not deployed", () => {
      const state = awsState();
      const gone = { ...apiDeployRole(state), pendingReplacement: true };
      const checkpoint = {
        version: 3,
        checkpoint: {
          stack: "prod",
          latest: (stackExport([gone]) as { deployment: unknown }).deployment,
        },
      };
      const read = readStackExport("checkpoint.json", checkpoint);
      assert.deepEqual(read, { resources: [] });
    });

    it("refuses what is not a version 3 export, naming the file", () => {
      const expected =
        'expected pulumi stack export output ({"version": 3, "deployment": {"resources": [...]}})';
      assert.deepEqual(readStackExport("out.json", { roleArn: ROLE }), {
        problem: `out.json is not a Pulumi stack export: ${expected}`,
      });
      assert.deepEqual(readStackExport("old.json", { version: 2, deployment: {} }), {
        problem: `old.json is a Pulumi deployment of version 2: ${expected} (run pulumi stack export with a current Pulumi CLI)`,
      });
      assert.deepEqual(
        readStackExport("bad.json", { version: 3, deployment: { resources: [{ urn: "x" }] } }),
        {
          problem: "bad.json: deployment.resources[0] has no urn or type",
        },
      );
    });

    it("refuses a secret whose plaintext is not JSON, and absurd nesting", () => {
      const [r] = (
        readStackExport(
          "s.json",
          stackExport([
            resource("aws:iam/role:Role", "r", "r", {
              a: { [SIG]: "1b47061264138c4ac30d75fd1eb44270", plaintext: "{" },
              b: JSON.parse("[".repeat(100) + "]".repeat(100)) as unknown,
              c: "fine",
            }),
          ]),
        ) as { resources: [never] }
      ).resources;
      assert.match(
        (stateOutputs(r, ["a"]) as { problem: string }).problem,
        /output a of .* is a secret whose plaintext is not JSON$/,
      );
      assert.match(
        (stateOutputs(r, ["b"]) as { problem: string }).problem,
        /output b of .* nests deeper than 64 levels$/,
      );
      assert.deepEqual(
        { ...(stateOutputs(r, ["c", "d"]) as { outputs: object }).outputs },
        { c: "fine" },
      );
    });
  });

  describe("import --pulumi-state", () => {
    it("drafts the stack's trust, exact on the corpus, with nothing to fill", async function () {
      this.timeout(60_000);
      const dir = mkdtempSync(join(tmpdir(), "trustplane-import-state-"));
      try {
        const file = join(dir, "stack.json");
        writeFileSync(
          file,
          JSON.stringify(stackExport([...awsState(), ...azureState(), ...gcpState()])),
        );
        const draft = join(dir, "intent.yaml");
        const r = await cli("import", "--pulumi-state", file, "--out", draft, "--json");
        assert.equal(r.code, 0, r.err);
        const report = JSON.parse(r.out) as {
          imported: { divergences: unknown[] }[];
          skipped: unknown[];
        };
        const grants = plan!.identities.flatMap((i) => i.grants).length;
        assert.equal(report.imported.length, grants);
        assert.deepEqual(report.skipped, []);
        assert.ok(report.imported.every((i) => i.divergences.length === 0));
        const checked = await cli("check", draft);
        assert.equal(checked.code, 0, checked.out + checked.err);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
