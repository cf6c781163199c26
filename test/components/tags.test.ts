import { strict as assert } from "node:assert";
import { TrustPlane } from "../../lib/components";
import type { TrustPlaneArgs } from "../../lib/components";
import { TrustplaneError, formatPath } from "../../lib/errors";
import { ALL_GRANTS, TARGETS } from "../support/documents";
import { registering, silenceWarnings, useMocks } from "../support/mocks";

/** One identity granted in every cloud, pinned by IDs (no warnings). */
const DOCUMENT = {
  version: 1,
  issuers: { ci: { kind: "github", subjectFormat: "immutable" } },
  targets: TARGETS,
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
      grants: ALL_GRANTS,
    },
  ],
};

/** What registering a TrustPlane with these tags (and `only`) threw, as `[code, path, message]`. */
async function refused(tags: Record<string, string>, only?: string[]) {
  const args = { ...structuredClone(DOCUMENT), tags, ...(only ? { only } : {}) };
  const { error, seen } = await registering(
    () => new TrustPlane("tagged", args as unknown as TrustPlaneArgs),
  );
  if (error === undefined) return { issues: [], seen };
  assert.ok(error instanceof TrustplaneError, "a TrustplaneError");
  assert.deepStrictEqual(seen, [], "nothing is registered");
  return { issues: error.issues.map((i) => [i.code, formatPath(i.path), i.message]), seen };
}

const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

/**
 * The `tags` option against the tag rules of the clouds whose resources get them (AWS roles and
 * OIDC providers, Azure managed identities), checked before anything registers. Does NOT prove
 * AWS or Azure accept a tag; the rules come from their API references (lib/backends/<cloud>/limits.ts).
 */
describe("TrustPlane tags", () => {
  let quiet: ReturnType<typeof silenceWarnings>;
  before(async () => {
    await useMocks();
    quiet = silenceWarnings();
  });
  after(() => quiet.restore());

  it("fails on a key AWS reserves, at its path, and registers nothing", async () => {
    const { issues } = await refused({ team: "platform", "AWS:Name": "x" });
    assert.deepStrictEqual(issues, [
      [
        "invalid_tag",
        'tags["AWS:Name"]',
        'AWS refuses the tag "AWS:Name": keys starting with "aws:" are reserved for AWS; this stack tags AWS resources, so change it or leave it out',
      ],
    ]);
  });

  it("fails on a name Azure refuses only where the stack deploys Azure", async () => {
    const tag = { "team/owner": "platform" };
    assert.deepStrictEqual((await refused(tag)).issues, [
      [
        "invalid_tag",
        'tags["team/owner"]',
        'Azure refuses the tag "team/owner": tag names hold none of < > % & \\ ? /, and this one holds /; this stack tags Azure resources, so change it or leave it out',
      ],
    ]);
    const { issues, seen } = await refused(tag, ["aws", "gcp"]);
    assert.deepStrictEqual(issues, []);
    assert.ok(seen.some((r) => (r.inputs.tags as object | undefined) !== undefined));
  });

  it("holds keys, values, characters and counts to each cloud's limits, at the boundary", async () => {
    const ok = { ...many(49), ["k".repeat(128)]: "v".repeat(256) };
    assert.deepStrictEqual((await refused(ok)).issues, []);
    const cases: [Record<string, string>, string[][]][] = [
      [{ ["k".repeat(129)]: "v" }, [["AWS", `tags["${"k".repeat(50)}…"]`]]],
      [
        { k: "v".repeat(257) },
        [
          ["AWS", "tags.k"],
          ["Azure", "tags.k"],
        ],
      ],
      [{ "cost#center": "1" }, [["AWS", 'tags["cost#center"]']]],
      [
        { "a<b": "1" },
        [
          ["AWS", 'tags["a<b"]'],
          ["Azure", 'tags["a<b"]'],
        ],
      ],
      [
        many(51),
        [
          ["AWS", "tags"],
          ["Azure", "tags"],
        ],
      ],
    ];
    for (const [tags, expected] of cases) {
      const { issues } = await refused(tags);
      assert.deepStrictEqual(
        issues.map(([code, path, message]) => [code, message!.split(" ")[0], path]),
        expected.map(([cloud, path]) => ["invalid_tag", cloud, path]),
        JSON.stringify(Object.keys(tags)).slice(0, 80),
      );
    }
  });

  it("lets a GCP-only stack pass any tags: its resources carry none", async () => {
    assert.deepStrictEqual((await refused({ "aws:x/<y>": "v" }, ["gcp"])).issues, []);
  });
});
