import { strict as assert } from "node:assert";
import { diff } from "../../lib";
import type { TrustDiff } from "../../lib";
import { compileDocument } from "../../lib/compile";
import { isError } from "../../lib/errors";
import { diffVersions } from "../../lib/inspect/diff";
import { AZURE_SCOPE, grantsIn, oneIdentity } from "../support/documents";

type Json = Record<string, unknown>;

const GITHUB = { kind: "github" };
const API = { repository: "acme/api", repository_owner: "acme" };
const MAIN = { ...API, ref: "refs/heads/main", environment: { absent: true } };

/** A document with one identity `deploy` of GitHub's `acme/api`. */
const doc = (subjects: Json[], grants?: Json[]) => oneIdentity(GITHUB, subjects, grants) as Json;

/** The diff of two documents; BASE must compile unless `broken` says it does not. */
function compared(base: unknown, head: unknown, broken = false): TrustDiff {
  const result = diff(base, head);
  assert.ok(result.diff, JSON.stringify(result.issues));
  assert.equal(result.issues.base.some(isError), broken, JSON.stringify(result.issues.base));
  return result.diff;
}

/** `diff` deciding every identity on a corpus, even those whose trust is equal in both. */
function decidedAll(base: unknown, head: unknown): TrustDiff {
  const [b, h] = [base, head].map((d) => ({ document: d, ...compileDocument(d) }));
  assert.ok(b!.plan && b!.ir && h!.plan && h!.ir);
  return diffVersions(b as never, h as never, { decideAll: true });
}

const lines = (d: TrustDiff) => d.changes.map((c) => `${c.change} ${c.target} ${c.summary}`).sort();

const EMPTY = {
  widens: false,
  narrows: false,
  changes: [],
  permissions: [],
  resources: { added: [], removed: [], changed: [] },
  notes: [],
};

/**
 * `diff` on hand-made pairs of documents: what a reviewer is shown for each kind of change.
 * Proves the shapes and words of the report and that each listed token is decided as said by
 * the artefacts; does NOT prove that every changed token is found (the corpus is verify's).
 */
describe("diff", () => {
  const base = doc([
    { ...API, environment: "production" },
    { ...API, ref: "refs/heads/main", environment: { absent: true } },
  ]);

  it("is empty for a document and itself, with and without the skip of equal identities", () => {
    assert.deepEqual(compared(base, structuredClone(base)), EMPTY);
    assert.deepEqual(decidedAll(base, structuredClone(base)), EMPTY);
  });

  it("says in the intent's terms which tokens gain access, in which targets", () => {
    const head = doc([
      { ...API, environment: { oneOf: ["production", "staging"] } },
      { ...API, ref: "refs/heads/main", environment: { absent: true } },
    ]);
    const d = compared(base, head);
    assert.equal(d.widens, true);
    assert.equal(d.narrows, false);
    const staging =
      'environment = "staging" and repository = "acme/api" and repository_owner = "acme"';
    assert.deepEqual(lines(d), [
      `gained aws-prod ${staging}`,
      `gained azure-prod ${staging}`,
      `gained gcp-prod ${staging}`,
    ]);
    const [aws] = d.changes;
    assert.equal(aws!.identity, "deploy");
    assert.equal(aws!.cloud, "aws");
    assert.equal(aws!.token.environment, "staging");
    assert.equal(
      aws!.selector,
      'environment in ["production", "staging"] and repository = "acme/api" and repository_owner = "acme"',
    );
    assert.match(aws!.reason, /^allowed now: statement 1 allows it: .*; refused before: /);
    assert.deepEqual(d.permissions, []);
    // a new credential for the new subject: Azure's only resource change
    assert.deepEqual(
      d.resources.added.map((r) => r.type),
      ["azure-native:managedidentity:FederatedIdentityCredential"],
    );
  });

  it("reports losses the other way round, from BASE's selector", () => {
    const head = doc([{ ...API, environment: "production" }]);
    const d = compared(base, head);
    assert.equal(d.widens, false);
    assert.equal(d.narrows, true);
    assert.ok(d.changes.length > 0);
    for (const c of d.changes) {
      assert.equal(c.change, "lost");
      assert.match(c.summary, /^no environment and ref = "refs\/heads\/main" and /);
      assert.match(c.reason, /^allowed before: .*; refused now: /);
    }
    assert.deepEqual(
      d.resources.removed.map((r) => r.type),
      ["azure-native:managedidentity:FederatedIdentityCredential"],
    );
  });

  describe("rewrites that mean the same report no access change", () => {
    const rewrites: [string, Json, Json][] = [
      [
        "selectors reordered",
        doc([{ ...API, environment: "production" }, MAIN]),
        doc([MAIN, { ...API, environment: "production" }]),
      ],
      [
        "a oneOf split into two selectors",
        doc([{ ...API, environment: { oneOf: ["production", "staging"] } }]),
        doc([
          { ...API, environment: "staging" },
          { ...API, environment: "production" },
        ]),
      ],
      [
        "a pattern without a wildcard for the exact value, a oneOf of one",
        doc([{ ...API, environment: "production" }, MAIN]),
        doc([
          { ...API, environment: { pattern: "production" } },
          { ...MAIN, ref: { oneOf: ["refs/heads/main", "refs/heads/main"] } },
        ]),
      ],
      [
        "a doubled wildcard",
        doc([{ ...API, ref: { pattern: "refs/heads/release/*" } }], grantsIn("aws", "gcp")),
        doc([{ ...API, ref: { pattern: "refs/heads/release/**" } }], grantsIn("aws", "gcp")),
      ],
    ];
    for (const [title, before, after] of rewrites) {
      it(title, () => {
        assert.deepEqual(decidedAll(before, after).changes, []);
        assert.deepEqual(compared(before, after).changes, []);
      });
    }
  });

  it("lists permissions added, removed and changed per target", () => {
    const grants = (aws: Json, azure: Json, gcp: Json) => [
      { target: "aws-prod", ...aws },
      { target: "azure-prod", ...azure },
      { target: "gcp-prod", ...gcp },
    ];
    const before = doc(
      [{ ...API, environment: "production" }],
      grants(
        {
          managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          inlinePolicies: {
            s3: {
              Version: "2012-10-17",
              Statement: [
                { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
              ],
            },
          },
        },
        { roles: [{ role: "Reader", scope: AZURE_SCOPE }] },
        { roles: ["roles/viewer"] },
      ),
    );
    const after = doc(
      [{ ...API, environment: "production" }],
      grants(
        {
          managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
          inlinePolicies: {
            s3: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }],
            },
          },
        },
        // the same role by its GUID, the scope in another case: the same assignment to Azure
        {
          roles: [
            { role: "acdd72a7-3385-48ef-bd42-f606fba81ae7", scope: AZURE_SCOPE.toUpperCase() },
          ],
        },
        { roles: ["roles/viewer"], mode: "direct" },
      ),
    );
    const d = compared(before, after);
    assert.deepEqual(
      d.permissions.map((p) => `${p.target} ${p.change} ${p.kind} ${p.name}`),
      [
        "aws-prod added managed policy arn:aws:iam::aws:policy/PowerUserAccess",
        "aws-prod changed inline policy s3",
        "aws-prod removed managed policy arn:aws:iam::aws:policy/ReadOnlyAccess",
        // another member holds the role: the provider's principals instead of the account
        "gcp-prod changed role roles/viewer",
      ],
    );
    assert.equal(d.widens, true);
    assert.equal(d.narrows, true);
    assert.deepEqual(d.changes, []);
  });

  it("shows a replaced resource where a physical name changes, and a rename as removed and added", () => {
    const before = doc([{ ...API, environment: "production" }]);
    const renamed = structuredClone(before) as { identities: Json[] };
    renamed.identities[0]!.name = "deployer";
    const d = compared(before, renamed);
    assert.equal(d.resources.changed.length, 0);
    assert.ok(d.resources.added.every((r) => r.name.startsWith("deployer/")));
    assert.ok(d.resources.removed.every((r) => r.name.startsWith("deploy/")));
    assert.match(d.notes[0]!, /^identity "deploy" is gone and "deployer" is new with the same/);
    assert.deepEqual(
      [...new Set(d.changes.map((c) => `${c.identity} ${c.change}`))],
      ["deployer gained", "deploy lost"],
    );

    const moved = structuredClone(before) as { identities: { grants: Json[] }[] };
    moved.identities[0]!.grants[0]!.roleName = "deploy-api";
    moved.identities[0]!.grants[1]!.identityName = "deploy-api";
    const m = compared(before, moved);
    assert.deepEqual(
      m.resources.changed.map((r) => `${r.type} ${r.name}`),
      [
        "aws:iam/role:Role deploy/aws-prod",
        "azure-native:managedidentity:UserAssignedIdentity deploy/azure-prod",
      ],
    );
    assert.match(
      m.resources.changed[0]!.reason,
      /from "arn:aws:iam::111111111111:role\/deploy" to "arn:aws:iam::111111111111:role\/deploy-api", so pulumi up replaces it$/,
    );
    assert.deepEqual(m.changes, []);

    // a GCP provider's ID is in the audience its tokens carry: the tokens move with it
    const provider = structuredClone(before) as { identities: { grants: Json[] }[] };
    provider.identities[0]!.grants[2]!.providerId = "deploy-api";
    const p = compared(before, provider);
    assert.deepEqual(
      p.resources.changed.map((r) => r.type),
      ["gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"],
    );
    assert.deepEqual(
      [...new Set(p.changes.map((c) => `${c.target} ${c.change} ${c.summary.slice(0, 3)}`))],
      ["gcp-prod gained aud", "gcp-prod lost aud"],
    );
  });

  it("leads the summary with aud when a grant's audience changes", () => {
    const before = doc([{ ...API, environment: "production" }], grantsIn("aws"));
    const after = doc(
      [{ ...API, environment: "production" }],
      [{ ...grantsIn("aws")[0], audience: "https://sts.example" }],
    );
    const d = compared(before, after);
    assert.deepEqual(lines(d), [
      'gained aws-prod aud = "https://sts.example" and environment = "production" and repository = "acme/api" and repository_owner = "acme"',
      'lost aws-prod aud = "sts.amazonaws.com" and environment = "production" and repository = "acme/api" and repository_owner = "acme"',
    ]);
  });

  it("compares a BASE with errors as trusting nothing, and gives no diff for a HEAD with errors", () => {
    const broken = doc([{ ...API, environment: "production" }]);
    (broken.identities as Json[])[0]!.issuer = "nope";
    const d = compared(broken, base, true);
    assert.match(d.notes[0]!, /^BASE has 1 error, so it is compared as trusting nothing/);
    assert.ok(d.changes.length > 0 && d.changes.every((c) => c.change === "gained"));
    const refused = diff(base, broken);
    assert.equal(refused.diff, undefined);
    assert.deepEqual(
      refused.issues.head.map((i) => i.code),
      ["unknown_issuer"],
    );
  });
});
