import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { AWS_TYPES } from "../../lib/backends/aws/grant";
import { AZURE_TYPES } from "../../lib/backends/azure/grant";
import { compileDocument } from "../../lib/compile";
import { TrustPlane } from "../../lib/components";
import type { TrustPlaneArgs } from "../../lib/components";
import { TrustplaneError } from "../../lib/errors";
import { ruleViolations } from "../support/cloud-rules";
import { TARGETS } from "../support/documents";
import type { Registered } from "../support/mocks";
import { registering, silenceWarnings, useMocks } from "../support/mocks";
import { documents } from "../support/random-documents";

type Json = Record<string, unknown>;
const EXAMPLES = join(__dirname, "..", "..", "examples");

const own = (i: number) => `arn:aws:iam::111111111111:policy/p-${i}`;
const statement = (extra: Json) => ({ Effect: "Allow", Action: "s3:GetObject", ...extra });
/** An inline policy of about 5,000 characters: two fit a role's 10,240, three do not. */
const big = {
  Statement: statement({
    Resource: Array.from({ length: 140 }, (_, i) => `arn:aws:s3:::acme-${i}/*`),
  }),
};
const many = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));

/** Grant options at the clouds' limits that they take, drawn into random documents. */
const VALID: Record<string, fc.Arbitrary<Json>> = {
  "aws-prod": fc.record(
    {
      roleName: fc.constantFrom("r".repeat(64), "deploy+ci@acme"),
      managedPolicyArns: fc.constantFrom(
        [own(0), "arn:aws:iam::aws:policy/ReadOnlyAccess"],
        Array.from({ length: 10 }, (_, i) => own(i)),
      ),
      inlinePolicies: fc.constantFrom<Json>(
        { read: { Statement: statement({ Resource: "arn:aws:s3:::a/*" }) } },
        {
          deny: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Deny", NotAction: "iam:*", Resource: "*" }],
          },
        },
        { a: big, b: big },
      ),
      permissionsBoundary: fc.constantFrom(
        "arn:aws:iam::111111111111:policy/boundary",
        "arn:aws:iam::aws:policy/PowerUserAccess",
      ),
    },
    { requiredKeys: [] },
  ),
  "azure-prod": fc.record(
    { identityName: fc.constantFrom("abc", "A".repeat(128)) },
    { requiredKeys: [] },
  ),
  "gcp-prod": fc.record(
    {
      providerId: fc.constantFrom("prov", "p".repeat(32)),
      serviceAccountId: fc.constantFrom("deploy", `sa-${"x".repeat(27)}`),
    },
    { requiredKeys: [] },
  ),
};

/** The longest physical name each cloud takes, by grant option. */
const LONGEST: Record<string, number> = {
  roleName: 64,
  identityName: 128,
  providerId: 32,
  serviceAccountId: 30,
};

type Doc = Json & {
  identities: { name: string; grants: Json[] }[];
  issuers: Record<string, Json>;
  targets: Record<string, Json>;
};

/**
 * One thing a cloud refuses, put into a document (on a grant of that cloud, one added if none):
 * with one flaw at a time, a check that misses it lets the document register, and the rule
 * table then finds the flaw in what was registered.
 */
const FLAWS: Record<string, (d: Doc, tags: Json) => void> = {
  "11 managed policies": (d) =>
    grantIn(d, "aws-prod", { managedPolicyArns: Array.from({ length: 11 }, (_, i) => own(i)) }),
  "a policy of aws-cn": (d) =>
    grantIn(d, "aws-prod", { managedPolicyArns: ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"] }),
  "a boundary of another account": (d) =>
    grantIn(d, "aws-prod", { permissionsBoundary: "arn:aws:iam::222222222222:policy/b" }),
  "{hello: world}": (d) => grantIn(d, "aws-prod", { inlinePolicies: { p: { hello: "world" } } }),
  "a Principal": (d) =>
    grantIn(d, "aws-prod", {
      inlinePolicies: { p: { Statement: statement({ Principal: "*", Resource: "*" }) } },
    }),
  "inline policies over 10,240": (d) =>
    grantIn(d, "aws-prod", { inlinePolicies: { a: big, b: big, c: big } }),
  "a 65-character role name": (d) => grantIn(d, "aws-prod", { roleName: "r".repeat(65) }),
  "a 256-character provider URL": (d) => {
    const url = "https://oidc.eks.eu-west-1.amazonaws.com/id/";
    d.issuers.k8s = { ...d.issuers.k8s, url: url + "B".repeat(256 - url.length) };
    added(d, "aws-prod", {});
  },
  "a 2-character identity name": (d) => added(d, "azure-prod", {}, "ab"),
  "an unsupported region": (d) => {
    d.targets["azure-prod"] = { ...TARGETS["azure-prod"], location: "newzealandnorth" };
    grantIn(d, "azure-prod", {});
  },
  "a gcp- provider ID": (d) => grantIn(d, "gcp-prod", { providerId: "gcp-deploy" }),
  "a 31-character service account ID": (d) =>
    grantIn(d, "gcp-prod", { serviceAccountId: "x".repeat(31) }),
  "an aws: tag": (d, tags) => tagged(d, tags, { "aws:x": "y" }, "aws-prod"),
  "51 tags": (d, tags) => tagged(d, tags, many(51), "aws-prod"),
  "a tag name with /": (d, tags) => tagged(d, tags, { "a/b": "c" }, "azure-prod"),
};

/** Sets `options` on the first grant of `target` (an impersonating one, for GCP), or adds one. */
function grantIn(d: Doc, target: string, options: Json): void {
  for (const identity of d.identities) {
    const k = identity.grants.findIndex((g) => g.target === target && g.mode !== "direct");
    if (k >= 0) {
      identity.grants[k] = { ...identity.grants[k], ...options };
      return;
    }
  }
  added(d, target, options);
}

/** A Kubernetes identity (exact `sub`: every cloud takes it) with one grant in `target`. */
function added(d: Doc, target: string, options: Json, name = "flawed"): void {
  d.identities.push({
    name,
    issuer: "k8s",
    subjects: [{ sub: "system:serviceaccount:apps:flawed" }],
    grants: [{ target, ...options }],
  } as Doc["identities"][number]);
}

function tagged(d: Doc, tags: Json, add: Json, target: string): void {
  Object.assign(tags, add);
  grantIn(d, target, {});
}

/** A random document at the limits, with at most one flaw, and the program's tags. */
const edgy = fc
  .record({
    generated: documents,
    names: fc.array(fc.option(fc.constantFrom("a", "abc", `n${"x".repeat(47)}`), { freq: 3 }), {
      maxLength: 4,
    }),
    valid: fc.tuple(VALID["aws-prod"]!, VALID["azure-prod"]!, VALID["gcp-prod"]!),
    location: fc.constantFrom("westeurope", "eastasia"),
    tags: fc.constantFrom<Json>({}, { team: "platform" }, many(49)),
    flaw: fc.option(fc.constantFrom(...Object.keys(FLAWS)), { freq: 2 }),
  })
  .map(({ generated, names, valid, location, tags, flaw }) => {
    const document = structuredClone(generated.document) as Doc;
    const targets = ["aws-prod", "azure-prod", "gcp-prod"];
    document.identities.forEach((identity, i) => {
      // a one-letter name gets a suffix but for the first: "a" stays a valid name everywhere but Azure
      if (names[i]) identity.name = `${names[i]}${i || ""}`.slice(0, 48);
      identity.grants = identity.grants.map((g, k) => {
        // only some grants take the options, so plain documents stay common
        if ((i + k) % 2) return g;
        const options: Json = { ...valid[targets.indexOf(g.target as string)] };
        // physical names are unique per identity, at their longest still
        for (const [key, max] of Object.entries(LONGEST)) {
          const v = options[key];
          if (typeof v === "string") options[key] = `${v.slice(0, max - String(i).length)}${i}`;
        }
        return { ...g, ...options };
      });
      const azure = identity.grants.find((g) => g.target === "azure-prod");
      // Azure needs 3 characters: a short name keeps an identityName there
      if (azure && identity.name.length < 3) azure.identityName ??= `${identity.name}-id`;
    });
    document.targets["azure-prod"] = { ...TARGETS["azure-prod"], location };
    const options = { ...tags };
    if (flaw) FLAWS[flaw]!(document, options);
    return { document, tags: options, flaw: flaw ?? undefined };
  })
  // a document left with no identity registers nothing, and would prove nothing
  .filter(({ document }) => document.identities.length > 0);

/**
 * Random documents near the limits (names, policies, quotas, tags, regions, URLs): whatever
 * `check` and the TrustPlane's option checks accept registers, under Pulumi's mocks, only inputs
 * that satisfy the clouds' rules as lib/backends/<cloud>/limits.ts writes them from the API
 * references. Does NOT prove a cloud accepts them: only that nothing the tables forbid reaches
 * registration; rules missing from the tables are not checked.
 */
describe("what TrustPlane registers satisfies the clouds' rules", () => {
  let quiet: ReturnType<typeof silenceWarnings>;
  before(async () => {
    await useMocks();
    quiet = silenceWarnings();
  });
  after(() => quiet.restore());

  async function register(args: Json): Promise<{ seen: Registered[]; refused: boolean }> {
    const { error, seen } = await registering(
      () => new TrustPlane("rules", args as unknown as TrustPlaneArgs),
    );
    if (error !== undefined) assert.ok(error instanceof TrustplaneError, "a TrustplaneError");
    return { seen, refused: error !== undefined };
  }

  it("holds for random documents near the limits", async function () {
    const counts = { registered: 0, refusedByCheck: 0, refusedByOptions: 0, flawed: 0 };
    await fc.assert(
      fc.asyncProperty(edgy, async ({ document, tags, flaw }) => {
        if (flaw) counts.flawed++;
        if (!compileDocument(document).plan) {
          counts.refusedByCheck++;
          return;
        }
        const { seen, refused } = await register({ ...document, tags });
        if (refused) {
          counts.refusedByOptions++;
          return;
        }
        counts.registered++;
        assert.ok(seen.length > 0);
        assert.deepStrictEqual(ruleViolations(seen), [], `flaw: ${flaw}`);
        assert.equal(flaw, undefined, "a flawed document registered");
      }),
      { numRuns: 150 },
    );
    this.test!.title += ` (${counts.registered} registered; ${counts.flawed} with a flaw; ${counts.refusedByCheck} refused by check, ${counts.refusedByOptions} by the option checks)`;
    // both sides are exercised, or the property proves little
    const summary = JSON.stringify(counts);
    assert.ok(counts.registered >= 10, summary);
    assert.ok(counts.flawed >= 10, summary);
  });

  it("holds for every example", async () => {
    for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"))) {
      const data = parseYaml(readFileSync(join(EXAMPLES, file), "utf8")) as Json;
      const { seen, refused } = await register(data);
      assert.equal(refused, false, file);
      assert.ok(seen.length > 0, file);
      assert.deepStrictEqual(ruleViolations(seen), [], file);
    }
  });

  it("holds for a document at every limit at once", async () => {
    const quotas = { trustPolicy: 8192, managedPolicies: 20 };
    /** A policy of exactly `n` characters, as IAM counts them. */
    const sized = (n: number) => {
      const base = {
        Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::" },
      };
      const pad = "a".repeat(n - JSON.stringify(base).length);
      return { Statement: { ...base.Statement, Resource: `${base.Statement.Resource}${pad}` } };
    };
    const document = {
      version: 1,
      issuers: {
        gh: { kind: "github" },
        k8s: { kind: "kubernetes", url: `https://k8s.example/${"u".repeat(235)}` },
      },
      targets: {
        ...TARGETS,
        "aws-prod": { ...TARGETS["aws-prod"], trustPolicyQuota: 8192, managedPolicyQuota: 20 },
      },
      identities: [
        {
          name: "abc",
          issuer: "gh",
          subjects: [
            {
              repository: "acme/api",
              environment: { oneOf: Array.from({ length: 20 }, (_, i) => `env-${i}`) },
            },
          ],
          grants: [
            {
              target: "aws-prod",
              roleName: "r".repeat(64),
              managedPolicyArns: Array.from(
                { length: 20 },
                (_, i) => `arn:aws:iam::111111111111:policy/p-${i}`,
              ),
              inlinePolicies: { a: sized(5120), b: sized(5120) },
            },
            { target: "azure-prod", identityName: "A".repeat(128) },
            { target: "gcp-prod", providerId: "p".repeat(32), serviceAccountId: "s".repeat(30) },
          ],
        },
        {
          name: "k8s",
          issuer: "k8s",
          subjects: [{ sub: "system:serviceaccount:apps:deploy" }],
          grants: [{ target: "aws-prod", audience: "a".repeat(255) }],
        },
      ],
    };
    const analysed = compileDocument(document);
    assert.ok(analysed.plan, JSON.stringify(analysed.issues.filter((i) => i.severity === "error")));
    const { seen, refused } = await register({
      ...document,
      tags: { ...many(49), ["k".repeat(128)]: "v".repeat(256) },
    });
    assert.equal(refused, false);
    assert.equal(seen.filter((r) => r.type === AZURE_TYPES.credential).length, 20);
    assert.equal(seen.filter((r) => r.type === AWS_TYPES.attachment).length, 20);
    assert.deepStrictEqual(ruleViolations(seen, quotas), []);
  });

  it("finds what breaks the rules, so the checks above can fail", () => {
    const r = (type: string, name: string, inputs: Json): Registered => ({
      type,
      name,
      custom: true,
      inputs,
      provider: "",
      parent: "",
      dependencies: [],
      importId: "",
      ignoreChanges: [],
    });
    const policy = JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } });
    const seen = [
      r(AWS_TYPES.role, "x/aws", {
        name: "r".repeat(65),
        path: "/",
        maxSessionDuration: 3600,
        assumeRolePolicy: policy,
        tags: { "aws:x": "y" },
      }),
      ...Array.from({ length: 11 }, (_, i) =>
        r(AWS_TYPES.attachment, `x/aws/p${i}`, {
          policyArn: `arn:aws:iam::111111111111:policy/p${i}`,
        }),
      ),
      r(AWS_TYPES.inlinePolicy, "x/aws/inline/bad", { name: "bad", policy: '{"hello":"world"}' }),
      ...Array.from({ length: 21 }, (_, i) =>
        r(AZURE_TYPES.credential, `x/azure/c${i}`, {
          resourceName: "ab",
          federatedIdentityCredentialResourceName: `c${i}-name`,
          issuer: "https://i",
          subject: `s${i}`,
          audiences: ["api://AzureADTokenExchange"],
        }),
      ),
      r(AZURE_TYPES.identity, "x/azure", { resourceName: "ab", location: "malaysiasouth" }),
    ];
    assert.deepStrictEqual(ruleViolations(seen), [
      `${AWS_TYPES.role} x/aws: role name ${"r".repeat(65)}`,
      `${AWS_TYPES.role} x/aws: tag aws:x: keys starting with "aws:" are reserved for AWS`,
      `${AWS_TYPES.inlinePolicy} x/aws/inline/bad: grammar: "hello" is no key of a policy (Version, Statement)`,
      `${AZURE_TYPES.identity} x/azure: identity name ab`,
      `${AZURE_TYPES.identity} x/azure: location malaysiasouth`,
      "role x/aws: 11 managed policies",
      "identity ab: 21 credentials",
    ]);
  });
});
