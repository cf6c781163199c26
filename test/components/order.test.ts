import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AWS_TYPES } from "../../lib/backends/aws/grant";
import { AZURE_TYPES } from "../../lib/backends/azure/grant";
import { GCP_TYPES } from "../../lib/backends/gcp/grant";
import { TrustPlane } from "../../lib/components";
import type { TrustPlaneArgs } from "../../lib/components";
import { TARGETS } from "../support/documents";
import type { Registered } from "../support/mocks";
import { key, registering, silenceWarnings, useMocks, valueOf } from "../support/mocks";
import { mockState } from "../support/mock-state";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const FILES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

type Names = (r: Registered) => string[];
const text = (value: unknown) => (typeof value === "string" ? [value] : []);
/** What the mocks answer for a resource: its inputs and the outputs the cloud computes. */
const state = (r: Registered) => mockState(r.type, r.inputs);

/** A GCP principal's pool (`…/workloadIdentityPools/<pool>`) and, for a principal set of an attribute, that attribute. */
function principalNames(member: unknown): string[] {
  const found = /\/(workloadIdentityPools\/[^/]+)(?:\/(attribute\.[^/]+\/[^/]+))?/.exec(
    String(member),
  );
  if (!found) return [];
  return [found[1]!, ...(found[2] ? [`${found[1]}/${found[2]}`] : [])];
}

/**
 * Rule table: what each resource type is known by, i.e. the values another resource's inputs
 * hold when they refer to it (under these mocks a resource's ID is `<logical name>-id`). A GCP
 * provider is known by the principal sets of the constant attributes it maps: a binding of
 * such a set grants nothing until the provider admits tokens into it.
 */
const KNOWN_BY: Record<string, Names> = {
  [AWS_TYPES.provider]: (r) => text(state(r).arn),
  [AWS_TYPES.role]: (r) => [...text(r.inputs.name), `${r.name}-id`],
  [AZURE_TYPES.identity]: (r) => [
    `${String(r.inputs.resourceGroupName)}/${String(r.inputs.resourceName)}`,
    ...text(state(r).principalId),
  ],
  [GCP_TYPES.pool]: (r) => [`workloadIdentityPools/${String(r.inputs.workloadIdentityPoolId)}`],
  [GCP_TYPES.provider]: (r) =>
    Object.entries(r.inputs.attributeMapping as Record<string, string>)
      .filter(([k, v]) => k.startsWith("attribute.") && /^'[^']*'$/.test(v))
      .map(
        ([k, v]) =>
          `workloadIdentityPools/${String(r.inputs.workloadIdentityPoolId)}/${k}/${v.slice(1, -1)}`,
      ),
  [GCP_TYPES.serviceAccount]: (r) => [...text(state(r).name), ...text(state(r).email)],
};

/** Rule table: the values in each resource type's inputs that refer to another resource. */
const REFERS_TO: Record<string, Names> = {
  [AWS_TYPES.role]: (r) =>
    (
      JSON.parse(r.inputs.assumeRolePolicy as string) as {
        Statement: { Principal: { Federated: string } }[];
      }
    ).Statement.map((s) => s.Principal.Federated),
  [AWS_TYPES.attachment]: (r) => text(r.inputs.role),
  [AWS_TYPES.inlinePolicy]: (r) => text(r.inputs.role),
  [AZURE_TYPES.credential]: (r) => [
    `${String(r.inputs.resourceGroupName)}/${String(r.inputs.resourceName)}`,
  ],
  [AZURE_TYPES.roleAssignment]: (r) => text(r.inputs.principalId),
  [GCP_TYPES.provider]: (r) => [`workloadIdentityPools/${String(r.inputs.workloadIdentityPoolId)}`],
  [GCP_TYPES.serviceAccountMember]: (r) => [
    ...text(r.inputs.serviceAccountId),
    ...principalNames(r.inputs.member),
  ],
  [GCP_TYPES.projectMember]: (r) => [
    ...principalNames(r.inputs.member),
    ...(/^serviceAccount:(.+)$/.exec(String(r.inputs.member))?.slice(1) ?? []),
  ],
};

/** Every URN `r` waits for: its dependencies and theirs. */
function waitsFor(r: Registered, byUrn: ReadonlyMap<string, Registered>): Set<string> {
  const seen = new Set<string>();
  const todo = [...r.dependencies];
  while (todo.length) {
    const urn = todo.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    todo.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return seen;
}

/** Each reference of each registered resource: the registrations it names, and whether it waits for them. */
function references(seen: readonly Registered[]) {
  const byUrn = new Map(seen.filter((r) => r.urn).map((r) => [r.urn!, r]));
  const custom = seen.filter((r) => r.custom);
  return custom.flatMap((r) => {
    const waits = waitsFor(r, byUrn);
    return (REFERS_TO[r.type]?.(r) ?? []).map((value) => {
      const named = custom.filter((s) => s !== r && (KNOWN_BY[s.type]?.(s) ?? []).includes(value));
      return {
        from: key(r),
        value,
        named: named.map(key),
        missing: named.filter((s) => !waits.has(s.urn!)).map(key),
      };
    });
  });
}

/**
 * The order of creation on a first `pulumi up`: every resource a registered resource's inputs
 * name (a role's OIDC provider, a credential's identity, a binding's pool, provider and service
 * account) is among what it waits for (its dependencies, transitively), as the mocks record
 * them. Does NOT prove that the rule tables above list every reference a cloud checks, nor
 * anything about resources created outside the stack (adopted ones).
 */
describe("TrustPlane: what a resource's inputs name is created before it", () => {
  let quiet: ReturnType<typeof silenceWarnings>;
  before(async () => {
    await useMocks();
    quiet = silenceWarnings();
  });
  after(() => quiet.restore());

  for (const file of FILES) {
    it(`${file}: every reference resolves to a registered resource it waits for`, async () => {
      const { error, seen } = await registering(() =>
        TrustPlane.fromFile(file.replace(/\.yaml$/, ""), join(EXAMPLES, file)),
      );
      assert.equal(error, undefined);
      const found = references(seen);
      // nothing is adopted in the examples: each reference names a resource of the stack
      assert.deepEqual(
        found.filter((f) => f.named.length === 0).map((f) => `${f.from} → ${f.value}`),
        [],
      );
      assert.deepEqual(
        found.filter((f) => f.missing.length).map((f) => `${f.from} → ${f.missing.join(", ")}`),
        [],
      );
      assert.ok(found.length > 0);
    });
  }

  it("the examples have every kind of reference the rule table lists", async () => {
    const kinds = new Set<string>();
    for (const file of FILES) {
      const { seen } = await registering(() =>
        TrustPlane.fromFile(file.replace(/\.yaml$/, ""), join(EXAMPLES, file)),
      );
      for (const f of references(seen)) {
        for (const n of f.named) kinds.add(`${f.from.split(" ")[0]} → ${n.split(" ")[0]}`);
      }
    }
    assert.deepEqual(
      [...kinds].sort(),
      [
        `${AWS_TYPES.attachment} → ${AWS_TYPES.role}`,
        `${AWS_TYPES.inlinePolicy} → ${AWS_TYPES.role}`,
        `${AWS_TYPES.role} → ${AWS_TYPES.provider}`,
        `${AZURE_TYPES.roleAssignment} → ${AZURE_TYPES.identity}`,
        `${AZURE_TYPES.credential} → ${AZURE_TYPES.identity}`,
        `${GCP_TYPES.provider} → ${GCP_TYPES.pool}`,
        `${GCP_TYPES.projectMember} → ${GCP_TYPES.pool}`,
        `${GCP_TYPES.projectMember} → ${GCP_TYPES.provider}`,
        `${GCP_TYPES.projectMember} → ${GCP_TYPES.serviceAccount}`,
        `${GCP_TYPES.serviceAccountMember} → ${GCP_TYPES.pool}`,
        `${GCP_TYPES.serviceAccountMember} → ${GCP_TYPES.provider}`,
        `${GCP_TYPES.serviceAccountMember} → ${GCP_TYPES.serviceAccount}`,
      ].sort(),
    );
  });

  it("binds a direct principal set of an adopted pool after the identity's provider", async () => {
    const document = {
      version: 1,
      issuers: { ci: { kind: "github", subjectFormat: "immutable" } },
      targets: structuredClone(TARGETS),
      identities: [
        {
          name: "alpha",
          issuer: "ci",
          subjects: [
            {
              repository: "acme/alpha",
              repository_owner_id: "1342004",
              repository_id: "101",
              environment: "production",
            },
          ],
          grants: [{ target: "gcp-prod", roles: ["roles/viewer"], mode: "direct" }],
        },
      ],
    } as unknown as TrustPlaneArgs;
    const { error, seen } = await registering(
      () => new TrustPlane("adopted-pool", { ...document, adopt: { gcpPools: ["gcp-prod"] } }),
    );
    assert.equal(error, undefined);
    const member = seen.find((r) => r.type === GCP_TYPES.projectMember);
    const provider = seen.find((r) => r.type === GCP_TYPES.provider);
    assert.ok(member && provider);
    assert.deepEqual(member.dependencies, [provider.urn]);
    assert.deepEqual(
      references(seen).map((f) => [f.value, f.named, f.missing]),
      [
        // the pool is not the stack's: nothing to wait for
        ["workloadIdentityPools/trustplane", [], []],
        ["workloadIdentityPools/trustplane", [], []],
        [
          "workloadIdentityPools/trustplane/attribute.trustplane_identity/alpha",
          [key(provider)],
          [],
        ],
      ],
    );
  });

  // GCP keeps a deleted pool's and provider's ID for 30 days: after `pulumi destroy`, the next
  // `up` within them needs new IDs, and those two options must rename everything
  it("renames the pool and provider GCP holds after a destroy from the target's poolId and the grant's providerId alone", async () => {
    const document = {
      version: 1,
      issuers: { ci: { kind: "github", subjectFormat: "immutable" } },
      targets: { "gcp-prod": { ...TARGETS["gcp-prod"], poolId: "trustplane-2" } },
      identities: [
        {
          name: "alpha",
          issuer: "ci",
          subjects: [{ repository: "acme/alpha", repository_owner_id: "1", repository_id: "2" }],
          grants: [
            { target: "gcp-prod", roles: ["roles/viewer"], mode: "direct", providerId: "alpha-2" },
          ],
        },
        {
          name: "beta",
          issuer: "ci",
          subjects: [{ repository: "acme/beta", repository_owner_id: "1", repository_id: "3" }],
          grants: [{ target: "gcp-prod", roles: ["roles/viewer"] }],
        },
      ],
    } as unknown as TrustPlaneArgs;
    const { value, error, seen } = await registering(() => new TrustPlane("renamed", document));
    assert.equal(error, undefined);
    const ids = seen
      .filter((r) => r.type === GCP_TYPES.pool || r.type === GCP_TYPES.provider)
      .map((r) => [
        key(r),
        r.inputs.workloadIdentityPoolId,
        r.inputs.workloadIdentityPoolProviderId,
      ]);
    assert.deepEqual(ids, [
      [`${GCP_TYPES.pool} pool/acme-prod/trustplane-2`, "trustplane-2", undefined],
      [`${GCP_TYPES.provider} alpha/gcp-prod`, "trustplane-2", "alpha-2"],
      [`${GCP_TYPES.provider} beta/gcp-prod`, "trustplane-2", "beta"],
    ]);
    // every binding names the new pool, and waits for it
    const found = references(seen);
    assert.deepEqual(
      found.filter((f) => f.named.length === 0 || f.missing.length),
      [],
    );
    assert.ok(
      !JSON.stringify(seen.map((r) => r.inputs)).includes("workloadIdentityPools/trustplane/"),
    );
    const outputs = await valueOf(value!.identities);
    assert.equal(
      outputs.alpha!["gcp-prod"]!.workloadIdentityProvider,
      "projects/123456789012/locations/global/workloadIdentityPools/trustplane-2/providers/alpha-2",
    );
  });

  it("trusts an adopted OIDC provider without waiting for a resource", async () => {
    const arn = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
    const document = {
      version: 1,
      issuers: { ci: { kind: "github", subjectFormat: "immutable" } },
      targets: structuredClone(TARGETS),
      identities: [
        {
          name: "alpha",
          issuer: "ci",
          subjects: [{ repository: "acme/alpha", repository_owner_id: "1", repository_id: "2" }],
          grants: [{ target: "aws-prod" }],
        },
      ],
    } as unknown as TrustPlaneArgs;
    const { error, seen } = await registering(
      () =>
        new TrustPlane("adopted-provider", {
          ...document,
          adopt: { awsOidcProviders: { "aws-prod": { ci: pulumi.output(arn) } } },
        }),
    );
    assert.equal(error, undefined);
    assert.deepEqual(
      references(seen).map((f) => [f.from, f.value, f.named]),
      [[`${AWS_TYPES.role} alpha/aws-prod`, arn, []]],
    );
  });
});
