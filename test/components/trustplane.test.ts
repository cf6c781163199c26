import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AWS_TYPES } from "../../lib/backends/aws/grant";
import { AZURE_TYPES } from "../../lib/backends/azure/grant";
import { GCP_TYPES } from "../../lib/backends/gcp/grant";
import { TrustPlane } from "../../lib/components";
import type { GrantPlan, Plan } from "../../lib/plan/types";
import type { Registered } from "../support/mocks";
import { customKeys, key, registering, silenceWarnings, useMocks, valueOf } from "../support/mocks";
import { mockGuid } from "../support/mock-state";
import { formatPath } from "../../lib/errors";
import { StackValues } from "../../lib/render/outputs";
import { render } from "../../lib/render/render";
import { parse as parseYaml } from "yaml";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const FILES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

type Grant<C extends GrantPlan["cloud"]> = Extract<GrantPlan, { cloud: C }>;

/** Every grant of a cloud in a plan, with its identity's name. */
function grantsOf<C extends GrantPlan["cloud"]>(plan: Plan, cloud: C) {
  return plan.identities.flatMap((identity) =>
    identity.grants.flatMap((grant) =>
      grant.cloud === cloud ? [{ identity: identity.name, grant: grant as Grant<C> }] : [],
    ),
  );
}

/** The planned name of the `index`th resource of `type` in a grant. */
function plannedName(grant: GrantPlan, type: string, index = 0): string {
  const found = grant.resources.filter((r) => r.type === type)[index];
  assert.ok(found, `${grant.target} plans a ${type} #${index}`);
  return found.name;
}

/** The one registration of this type and name. */
function one(seen: readonly Registered[], type: string, name: string): Registered {
  const found = seen.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name} is registered once`);
  return found[0]!;
}

function byUrn(seen: readonly Registered[], urn: string): string {
  const found = seen.find((r) => r.urn === urn);
  assert.ok(found, `a registration has URN ${urn}`);
  return key(found);
}

/**
 * Deploys every example under Pulumi's mocks once, then compares what was registered (types,
 * logical names, inputs, dependencies) with the compiled plan. Proves that the components send
 * the plan's artefacts; does NOT prove that any cloud accepts the requests, nor that the
 * artefacts themselves are right (the backend tests cover those).
 */
describe("TrustPlane on every example", () => {
  const deployed = new Map<string, { plane: TrustPlane; seen: Registered[]; warned: string[] }>();
  let quiet: ReturnType<typeof silenceWarnings>;

  before(async () => {
    await useMocks();
    quiet = silenceWarnings();
    for (const file of FILES) {
      const from = quiet.messages.length;
      const { value, error, seen } = await registering(() =>
        TrustPlane.fromFile(file.replace(/\.yaml$/, ""), join(EXAMPLES, file)),
      );
      assert.equal(error, undefined, file);
      deployed.set(file, { plane: value!, seen, warned: quiet.messages.slice(from) });
    }
  });
  after(() => quiet.restore());

  const each = (
    test: (file: string, plan: Plan, seen: Registered[], plane: TrustPlane) => void,
  ): void => {
    for (const [file, { plane, seen }] of deployed) test(file, plane.plan, seen, plane);
  };

  it("finds the examples", () => {
    assert.deepEqual(FILES, [
      "eks-service-account.yaml",
      "github-pull-requests.yaml",
      "gitlab.yaml",
      "platform.yaml",
      "pulumi-cloud.yaml",
      "terraform-cloud.yaml",
    ]);
  });

  for (const file of FILES) {
    it(`registers exactly the plan's resources for ${file}, each shared one once`, () => {
      const { plane, seen } = deployed.get(file)!;
      const all = plane.plan.identities.flatMap((i) => i.grants.flatMap((g) => g.resources));
      const planned = [...new Set(all.map(key))].sort();
      const custom = customKeys(seen);
      assert.deepEqual(custom, planned);
      const shared = [...new Set(all.filter((r) => r.shared).map(key))];
      assert.ok(shared.length > 0, `${file} shares a provider or pool`);
      for (const k of shared) assert.equal(custom.filter((c) => c === k).length, 1, k);
      // one component, and one child component per cloud with grants
      const name = file.replace(/\.yaml$/, "");
      const clouds = [...new Set(all.map((r) => r.type.split(":")[0]!))].sort();
      assert.deepEqual(
        seen
          .filter((r) => !r.custom)
          .map(key)
          .sort(),
        [
          `trustplane:index:TrustPlane ${name}`,
          ...clouds.map((c) => {
            const cloud = c === "azure-native" ? "azure" : c;
            const kind = { aws: "AwsTrust", azure: "AzureTrust", gcp: "GcpTrust" }[cloud];
            return `trustplane:${cloud}:${kind} ${name}-${cloud}`;
          }),
        ].sort(),
      );
    });
  }

  it("gives AWS roles, OIDC providers and policies the compiled artefacts", () => {
    let roles = 0;
    let boundaries = 0;
    let inline = 0;
    each((file, plan, seen) => {
      for (const { grant } of grantsOf(plan, "aws")) {
        const a = grant.artefacts;
        const roleName = plannedName(grant, AWS_TYPES.role);
        const role = one(seen, AWS_TYPES.role, roleName);
        const { assumeRolePolicy, ...rest } = role.inputs;
        assert.deepEqual(JSON.parse(assumeRolePolicy as string), a.trustPolicy, file);
        assert.deepEqual(rest, {
          name: a.roleName,
          path: a.rolePath,
          maxSessionDuration: a.maxSessionDuration,
          ...(a.permissionsBoundary !== undefined
            ? { permissionsBoundary: a.permissionsBoundary }
            : {}),
          tags: {},
        });
        roles++;
        if (a.permissionsBoundary !== undefined) boundaries++;

        const provider = one(seen, AWS_TYPES.provider, plannedName(grant, AWS_TYPES.provider));
        // the client IDs are every audience this account trusts from this issuer
        const audiences = grantsOf(plan, "aws")
          .filter((o) => o.grant.artefacts.providerArn === a.providerArn)
          .map((o) => o.grant.audience);
        assert.deepEqual(provider.inputs, {
          url: a.providerUrl,
          clientIdLists: [...new Set(audiences)].sort(),
          tags: {},
        });
        assert.deepEqual(a.clientIds, [...new Set(audiences)].sort());

        a.managedPolicyArns.forEach((policyArn, i) => {
          const attachment = one(
            seen,
            AWS_TYPES.attachment,
            plannedName(grant, AWS_TYPES.attachment, i),
          );
          assert.deepEqual(attachment.inputs, { role: a.roleName, policyArn });
        });
        Object.entries(a.inlinePolicies).forEach(([name, document], i) => {
          const policy = one(
            seen,
            AWS_TYPES.inlinePolicy,
            plannedName(grant, AWS_TYPES.inlinePolicy, i),
          );
          const { policy: text, ...others } = policy.inputs;
          assert.deepEqual(JSON.parse(text as string), document);
          // the mocks give a role the ID `<logical name>-id`
          assert.deepEqual(others, { role: `${roleName}-id`, name });
          inline++;
        });
      }
    });
    // the examples exercise what this test claims to check
    assert.deepEqual({ roles, boundaries, inline }, { roles: 11, boundaries: 1, inline: 2 });
  });

  it("gives Azure identities, credentials and role assignments the compiled artefacts", () => {
    let credentials = 0;
    let assignments = 0;
    each((file, plan, seen) => {
      for (const { grant } of grantsOf(plan, "azure")) {
        const a = grant.artefacts;
        const identity = one(seen, AZURE_TYPES.identity, plannedName(grant, AZURE_TYPES.identity));
        assert.deepEqual(identity.inputs, {
          resourceGroupName: a.resourceGroup,
          resourceName: a.identityName,
          location: a.location,
          tags: {},
        });
        a.credentials.forEach((c, i) => {
          const r = one(
            seen,
            AZURE_TYPES.credential,
            plannedName(grant, AZURE_TYPES.credential, i),
          );
          assert.deepEqual(
            r.inputs,
            {
              resourceGroupName: a.resourceGroup,
              resourceName: a.identityName,
              federatedIdentityCredentialResourceName: c.name,
              issuer: c.issuer,
              subject: c.subject,
              audiences: [c.audience],
            },
            file,
          );
          credentials++;
        });
        a.roleAssignments.forEach((ra, i) => {
          const r = one(
            seen,
            AZURE_TYPES.roleAssignment,
            plannedName(grant, AZURE_TYPES.roleAssignment, i),
          );
          assert.deepEqual(r.inputs, {
            // the principal ID the mocks gave this identity
            principalId: mockGuid("principal", a.identityName),
            principalType: ra.principalType,
            roleAssignmentName: ra.name,
            roleDefinitionId: ra.roleDefinitionId,
            scope: ra.scope,
          });
          assert.ok(
            r.dependencies.includes(identity.urn!),
            "the assignment waits for its identity",
          );
          assignments++;
        });
      }
    });
    assert.deepEqual({ credentials, assignments }, { credentials: 14, assignments: 8 });
  });

  it("chains each Azure identity's federated credentials: identity, then one after another", () => {
    let chained = 0;
    each((_file, plan, seen) => {
      for (const { grant } of grantsOf(plan, "azure")) {
        const identity = one(seen, AZURE_TYPES.identity, plannedName(grant, AZURE_TYPES.identity));
        const names = grant.artefacts.credentials.map((_, i) =>
          plannedName(grant, AZURE_TYPES.credential, i),
        );
        names.forEach((name, i) => {
          const credential = one(seen, AZURE_TYPES.credential, name);
          // the identity (through resourceName and dependsOn) and the credential before it
          const expected = [
            key(identity),
            ...(i ? [`${AZURE_TYPES.credential} ${names[i - 1]}`] : []),
          ];
          assert.deepEqual(
            credential.dependencies.map((u) => byUrn(seen, u)).sort(),
            expected.sort(),
            name,
          );
        });
        if (names.length > 2) chained++;
      }
    });
    assert.equal(chained, 3, "three identities have a chain of three or more credentials");
  });

  it("gives GCP pools, providers, service accounts and bindings the compiled artefacts", () => {
    const modes: string[] = [];
    each((file, plan, seen) => {
      for (const { identity, grant } of grantsOf(plan, "gcp")) {
        const a = grant.artefacts;
        const project = "acme-prod";
        const pool = one(seen, GCP_TYPES.pool, plannedName(grant, GCP_TYPES.pool));
        assert.deepEqual(pool.inputs, {
          project,
          workloadIdentityPoolId: a.poolId,
          displayName: a.poolId,
          description: "Managed by trustplane",
        });
        const provider = one(seen, GCP_TYPES.provider, plannedName(grant, GCP_TYPES.provider));
        assert.deepEqual(
          provider.inputs,
          {
            project,
            workloadIdentityPoolId: a.poolId,
            workloadIdentityPoolProviderId: a.providerId,
            attributeMapping: a.attributeMapping,
            attributeCondition: a.attributeCondition,
            oidc: { issuerUri: a.issuerUri, allowedAudiences: a.allowedAudiences },
          },
          file,
        );
        assert.deepEqual(provider.dependencies, [pool.urn]);
        assert.deepEqual(a.principals.length, 1);
        if (a.mode === "impersonate") {
          const account = one(
            seen,
            GCP_TYPES.serviceAccount,
            plannedName(grant, GCP_TYPES.serviceAccount),
          );
          assert.deepEqual(account.inputs, {
            project,
            accountId: a.serviceAccountId,
            displayName: `trustplane ${identity}`,
          });
          const user = one(
            seen,
            GCP_TYPES.serviceAccountMember,
            plannedName(grant, GCP_TYPES.serviceAccountMember),
          );
          assert.deepEqual(user.inputs, {
            serviceAccountId: `projects/${project}/serviceAccounts/${a.serviceAccountEmail}`,
            role: "roles/iam.workloadIdentityUser",
            member: a.principals[0],
          });
        } else {
          assert.equal(a.serviceAccountId, undefined);
        }
        a.projectBindings.forEach((binding, i) => {
          const member = one(
            seen,
            GCP_TYPES.projectMember,
            plannedName(grant, GCP_TYPES.projectMember, i),
          );
          assert.deepEqual(member.inputs, { project, role: binding.role, member: binding.member });
          assert.equal(
            binding.member,
            a.mode === "impersonate" ? `serviceAccount:${a.serviceAccountEmail}` : a.principals[0],
          );
        });
        modes.push(a.mode);
      }
    });
    assert.deepEqual(
      [...new Set(modes)].sort(),
      ["direct", "impersonate"],
      "the examples bind in both modes",
    );
  });

  it("logs each warning of the compiled document through pulumi.log.warn", () => {
    const { plane, warned } = deployed.get("platform.yaml")!;
    assert.equal(plane.warnings.length, 4);
    assert.deepEqual(
      warned,
      plane.warnings.map((w) => `${w.code}: ${w.message} (at ${formatPath(w.path)})`),
    );
    assert.deepEqual(
      plane.warnings.map((w) => [w.code, formatPath(w.path)]),
      [
        ["mutable_subject", "identities[0].subjects[0]"],
        ["mutable_subject", "identities[0].subjects[1]"],
        ["mutable_subject", "identities[0].subjects[2]"],
        ["mutable_subject", "identities[1].subjects[0]"],
      ],
    );
    assert.deepEqual(deployed.get("pulumi-cloud.yaml")!.warned, []);
  });

  it("resolves identities and summary to the values the mocks computed", async () => {
    const { plane } = deployed.get("platform.yaml")!;
    const sa = (id: string) => `${id}@acme-prod.iam.gserviceaccount.com`;
    const provider = (id: string) =>
      `projects/123456789012/locations/global/workloadIdentityPools/trustplane/providers/${id}`;
    const azure = (id: string) => ({
      clientId: mockGuid("client", id),
      principalId: mockGuid("principal", id),
      tenantId: "00000000-0000-0000-0000-00000000000a",
      subscriptionId: "00000000-0000-0000-0000-00000000000b",
    });
    const gcp = (id: string, impersonate: boolean) => ({
      workloadIdentityProvider: provider(id),
      audience: `https://iam.googleapis.com/${provider(id)}`,
      ...(impersonate ? { serviceAccountEmail: sa(id) } : {}),
    });
    const identities = {
      "api-deploy": {
        "aws-prod": { roleArn: "arn:aws:iam::111111111111:role/api-deploy" },
        "azure-prod": azure("api-deploy"),
        "gcp-prod": gcp("api-deploy", true),
      },
      "api-release": {
        "aws-prod": { roleArn: "arn:aws:iam::111111111111:role/api-release" },
        "gcp-prod": gcp("api-release", true),
      },
      "web-deploy": {
        "aws-prod": { roleArn: "arn:aws:iam::111111111111:role/web-deploy" },
        "azure-prod": azure("web-deploy"),
        "gcp-prod": gcp("web-deploy", false),
      },
    };
    assert.deepEqual(await valueOf(plane.identities), identities);

    const audiences: Record<string, string> = {
      "aws-prod": "sts.amazonaws.com",
      "azure-prod": "api://AzureADTokenExchange",
    };
    const summary = {
      identities: Object.fromEntries(
        Object.entries(identities).map(([name, targets]) => [
          name,
          {
            issuer: "https://token.actions.githubusercontent.com",
            grants: Object.fromEntries(
              Object.entries(targets).map(([target, values]) => [
                target,
                {
                  cloud: target.replace(/-prod$/, ""),
                  audience: audiences[target] ?? (values as { audience: string }).audience,
                  ...values,
                },
              ]),
            ),
          },
        ]),
      ),
    };
    assert.deepEqual(await valueOf(plane.summary), summary);
  });

  it("exports the files trustplane render writes, with the client IDs the stack created", async () => {
    for (const file of FILES) {
      const { plane } = deployed.get(file)!;
      const stacks = new StackValues();
      stacks.add({ identities: await valueOf(plane.identities) }, file);
      const document = parseYaml(readFileSync(join(EXAMPLES, file), "utf8")) as unknown;
      const rendered = render(document, stacks);
      assert.ok(rendered.files, file);
      const handoff = await valueOf(plane.handoff);
      assert.deepEqual(handoff, Object.fromEntries(rendered.files.map((f) => [f.path, f.text])));
      // every Azure client ID came from the deployment: none is left as a placeholder
      assert.deepEqual(rendered.placeholders, [], file);
    }
    const platform = await valueOf(deployed.get("platform.yaml")!.plane.handoff);
    assert.match(
      platform["api-deploy/providers.tf"]!,
      new RegExp(`client_id {7}= "${mockGuid("client", "api-deploy")}"`),
    );
  });
});
