import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";
import { AWS_TYPES } from "../../lib/backends/aws/grant";
import { AZURE_TYPES } from "../../lib/backends/azure/grant";
import { GCP_TYPES } from "../../lib/backends/gcp/grant";
import { analyse, check } from "../../lib/compile";
import { TrustPlane } from "../../lib/components";
import type { TrustPlaneArgs } from "../../lib/components";
import { TrustplaneError, formatPath } from "../../lib/errors";
import type { Issue } from "../../lib/errors";
import type { Plan } from "../../lib/plan/types";
import { ALL_GRANTS, TARGETS } from "../support/documents";
import type { Registered } from "../support/mocks";
import { runScript } from "../support/child";
import { customKeys, key, registering, silenceWarnings, useMocks, valueOf } from "../support/mocks";

type Json = Record<string, unknown>;

/** An identity trusting production deployments of one repository, pinned by IDs (no warnings). */
function identity(name: string, repositoryId: string, grants: Json[] = ALL_GRANTS): Json {
  return {
    name,
    issuer: "ci",
    subjects: [
      {
        repository: `acme/${name}`,
        repository_owner_id: "1342004",
        repository_id: repositoryId,
        environment: "production",
      },
    ],
    grants,
  };
}

const ALPHA = identity("alpha", "101");
const BETA = identity("beta", "102");
const GAMMA = identity("gamma", "103");

/** A document of these identities in the shared AWS, Azure and GCP targets. */
function document(...identities: Json[]): TrustPlaneArgs {
  return {
    version: 1,
    issuers: { ci: { kind: "github", subjectFormat: "immutable" } },
    targets: structuredClone(TARGETS),
    identities: structuredClone(identities),
  } as unknown as TrustPlaneArgs;
}

/** The deduplicated, sorted resource keys of the plan's grants that `keep` accepts. */
function plannedKeys(plan: Plan, keep: (target: string, cloud: string) => boolean = () => true) {
  const all = plan.identities.flatMap((i) =>
    i.grants.filter((g) => keep(g.target, g.cloud)).flatMap((g) => g.resources),
  );
  return [...new Set(all.map(key))].sort();
}

function planOf(args: TrustPlaneArgs): Plan {
  const { plan } = analyse(args);
  assert.ok(plan);
  return plan;
}

function one(seen: readonly Registered[], type: string, name: string): Registered {
  const found = seen.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name} is registered once`);
  return found[0]!;
}

function issuesOf(error: unknown): readonly Issue[] {
  assert.ok(error instanceof TrustplaneError, `a TrustplaneError, not ${String(error)}`);
  return error.issues;
}

const ADOPTED_ARN = "arn:aws:iam::111111111111:oidc-provider/adopted.example.com";

/**
 * What TrustPlane's options change in the registrations under Pulumi's mocks: adoption,
 * selection, providers, tags, and the errors that must stop it before it registers anything.
 * Proves what the components send; does NOT prove that any cloud accepts the requests, nor
 * that an adopted provider or pool exists.
 */
describe("TrustPlane options", () => {
  let quiet: ReturnType<typeof silenceWarnings>;
  before(async () => {
    await useMocks();
    quiet = silenceWarnings();
  });
  after(() => quiet.restore());

  describe("adopt", () => {
    it("registers no adopted OIDC provider or pool, and trusts the adopted provider's ARN", async () => {
      const args = document(ALPHA, BETA);
      const plan = planOf(args);
      const { value, error, seen } = await registering(
        () =>
          new TrustPlane("adopting", {
            ...args,
            adopt: {
              awsOidcProviders: { "aws-prod": { ci: pulumi.output(ADOPTED_ARN) } },
              gcpPools: ["gcp-prod"],
            },
          }),
      );
      assert.equal(error, undefined);
      const shared = [
        `${AWS_TYPES.provider} oidc-provider/111111111111/token.actions.githubusercontent.com`,
        `${GCP_TYPES.pool} pool/acme-prod/trustplane`,
      ];
      assert.deepEqual(
        plannedKeys(plan).filter((k) => shared.includes(k)),
        shared,
      );
      assert.deepEqual(
        customKeys(seen),
        plannedKeys(plan).filter((k) => !shared.includes(k)),
      );
      for (const { name, grants } of plan.identities) {
        const grant = grants.find((g) => g.cloud === "aws");
        assert.ok(grant?.cloud === "aws");
        const role = one(seen, AWS_TYPES.role, `${name}/aws-prod`);
        const policy = grant.artefacts.trustPolicy;
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string), {
          ...policy,
          Statement: policy.Statement.map((s) => ({ ...s, Principal: { Federated: ADOPTED_ARN } })),
        });
        // the GCP provider no longer waits for a pool
        assert.deepEqual(one(seen, GCP_TYPES.provider, `${name}/gcp-prod`).dependencies, []);
      }
      assert.ok(value);
    });

    it("rejects AWS adoption keys that name no AWS grant of that issuer, with their paths", async () => {
      const { error } = await registering(
        () =>
          new TrustPlane("bad-aws-adoption", {
            ...document(ALPHA),
            adopt: {
              awsOidcProviders: {
                "aws-prod": { ci: ADOPTED_ARN, nope: ADOPTED_ARN },
                "gcp-prod": { ci: ADOPTED_ARN },
                "aws-staging": { ci: ADOPTED_ARN },
              },
            },
          }),
      );
      const issues = issuesOf(error);
      assert.deepEqual(
        issues.map((i) => [i.code, i.path]),
        [
          ["invalid_value", ["adopt", "awsOidcProviders", "aws-prod", "nope"]],
          ["invalid_value", ["adopt", "awsOidcProviders", "gcp-prod", "ci"]],
          ["invalid_value", ["adopt", "awsOidcProviders", "aws-staging", "ci"]],
        ],
      );
      assert.equal(
        issues[0]!.message,
        'no AWS grant of target "aws-prod" trusts issuer "nope"; adopt providers the document uses',
      );
    });

    it("rejects GCP pool adoptions that name no GCP target with grants, with their paths", async () => {
      const { error } = await registering(
        () =>
          new TrustPlane("bad-gcp-adoption", {
            ...document(ALPHA),
            adopt: { gcpPools: ["gcp-prod", "aws-prod", "gcp-staging"] },
          }),
      );
      assert.deepEqual(
        issuesOf(error).map((i) => [i.code, i.path, i.message]),
        [
          ["invalid_value", ["adopt", "gcpPools", 1], '"aws-prod" is not a GCP target with grants'],
          [
            "invalid_value",
            ["adopt", "gcpPools", 2],
            '"gcp-staging" is not a GCP target with grants',
          ],
        ],
      );
    });

    // options are checked before super(): a late check would leave the component (or a child
    // built before it) registered
    it("registers nothing, not even the component, when an AWS adoption key is invalid", async () => {
      const { error, seen } = await registering(
        () =>
          new TrustPlane("bad-aws-adoption", {
            ...document(ALPHA),
            adopt: { awsOidcProviders: { "aws-prod": { nope: ADOPTED_ARN } } },
          }),
      );
      assert.ok(error instanceof TrustplaneError);
      assert.deepEqual(seen.map(key), []);
    });

    it("registers nothing, not even the AWS child, when a GCP pool adoption is invalid", async () => {
      const { error, seen } = await registering(
        () =>
          new TrustPlane("bad-gcp-adoption", {
            ...document(ALPHA),
            adopt: { gcpPools: ["gcp-staging"] },
          }),
      );
      assert.ok(error instanceof TrustplaneError);
      assert.deepEqual(seen.map(key), []);
    });

    it("rejects two issuers of one URL adopting different providers in one account", async () => {
      const args = document(ALPHA, { ...BETA, issuer: "ci-too" });
      (args.issuers as Json)["ci-too"] = { kind: "github", subjectFormat: "immutable" };
      const { error, seen } = await registering(
        () =>
          new TrustPlane("two-adoptions", {
            ...args,
            adopt: {
              awsOidcProviders: { "aws-prod": { ci: ADOPTED_ARN, "ci-too": `${ADOPTED_ARN}-2` } },
            },
          }),
      );
      assert.deepEqual(
        issuesOf(error).map((i) => [i.code, i.path, i.message]),
        [
          [
            "invalid_value",
            ["adopt", "awsOidcProviders", "aws-prod", "ci-too"],
            'issuer "ci-too" adopts "arn:aws:iam::111111111111:oidc-provider/adopted.example.com-2" in "aws-prod", but issuer "ci", with the same URL in the same account, adopts "arn:aws:iam::111111111111:oidc-provider/adopted.example.com"; an account has one OIDC provider per URL, so adopt the same ARN for both',
          ],
        ],
      );
      assert.deepEqual(seen, []);
    });

    /** ALPHA and BETA, each trusting its own issuer of the same URL. */
    function twoIssuers(): TrustPlaneArgs {
      const args = document(ALPHA, { ...BETA, issuer: "ci-too" });
      (args.issuers as Json)["ci-too"] = { kind: "github", subjectFormat: "immutable" };
      return args;
    }

    it("accepts one ARN given as two Outputs (or an Output and a string) for two issuers of one URL", async () => {
      for (const second of [pulumi.output(ADOPTED_ARN), ADOPTED_ARN]) {
        const { error, seen } = await registering(
          () =>
            new TrustPlane("same-arn", {
              ...twoIssuers(),
              adopt: {
                awsOidcProviders: {
                  "aws-prod": { ci: pulumi.output(ADOPTED_ARN), "ci-too": second },
                },
              },
            }),
        );
        assert.equal(error, undefined);
        assert.equal(seen.filter((r) => r.type === AWS_TYPES.provider).length, 0);
        for (const name of ["alpha", "beta"]) {
          const role = one(seen, AWS_TYPES.role, `${name}/aws-prod`);
          const policy = JSON.parse(role.inputs.assumeRolePolicy as string) as {
            Statement: { Principal: unknown }[];
          };
          assert.deepEqual(policy.Statement[0]!.Principal, { Federated: ADOPTED_ARN });
        }
      }
    });

    // an Output's value is known only once it resolves: the check is deferred to then, and
    // the target's resources wait for it (a failed input leaves registrations pending, so this
    // runs in its own process)
    it("refuses two Outputs of different ARNs once resolved, before registering anything of the target", () => {
      // GAMMA's issuer has another URL: its provider and role do not wait for the adopted ARNs
      const args = twoIssuers();
      (args.issuers as Json).enterprise = {
        kind: "github",
        subjectFormat: "immutable",
        enterpriseSlug: "acme",
      };
      (args.identities as Json[]).push({ ...GAMMA, issuer: "enterprise" });
      const result = runScript(
        `
        const pulumi = require("@pulumi/pulumi");
        const { TrustPlane } = require("./lib/components/index.ts");
        const types = [];
        let issues = "none";
        process.on("unhandledRejection", (e) => {
          if (issues === "none") issues = e.issues.map((i) => [i.code, i.path, i.message]);
        });
        (async () => {
          await pulumi.runtime.setMocks(
            {
              newResource: (a) => { types.push(a.type); return { id: a.name, state: a.inputs }; },
              call: (a) => a.inputs,
            },
            "adopt", "test", false,
          );
          const arn = ${JSON.stringify(ADOPTED_ARN)};
          new TrustPlane("late", {
            ...${JSON.stringify(args)},
            adopt: {
              awsOidcProviders: {
                "aws-prod": { ci: pulumi.output(arn), "ci-too": pulumi.output(arn + "-2") },
              },
            },
          });
          await new Promise((resolve) => setTimeout(resolve, 500));
          console.log(JSON.stringify({ types: [...new Set(types)].sort(), issues }));
          process.exit(0);
        })().catch((e) => { console.error(e); process.exit(1); });
      `,
        { anyExit: true },
      ) as { types: string[]; issues: [string, string[], string][] };
      assert.deepEqual(result.issues, [
        [
          "invalid_value",
          ["adopt", "awsOidcProviders", "aws-prod", "ci-too"],
          `issuer "ci-too" adopts "${ADOPTED_ARN}-2" in "aws-prod", but issuer "ci", with the same URL in the same account, adopts "${ADOPTED_ARN}"; an account has one OIDC provider per URL, so adopt the same ARN for both`,
        ],
      ]);
      // the other clouds' targets go on; nothing of aws-prod reached the engine
      assert.deepEqual(
        result.types.filter((t) => t.startsWith("aws:")),
        [],
      );
      assert.ok(result.types.includes(GCP_TYPES.provider));
    });

    it("lists invalid AWS and GCP adoptions in one error", async () => {
      const { error } = await registering(
        () =>
          new TrustPlane("bad-adoptions", {
            ...document(ALPHA),
            adopt: {
              awsOidcProviders: { "aws-prod": { nope: ADOPTED_ARN } },
              gcpPools: ["gcp-staging"],
            },
          }),
      );
      assert.deepEqual(
        issuesOf(error).map((i) => i.path),
        [
          ["adopt", "awsOidcProviders", "aws-prod", "nope"],
          ["adopt", "gcpPools", 0],
        ],
      );
    });
  });

  describe("errors", () => {
    it("throws every error of the intent and registers nothing, not even the component", async () => {
      const args = document(
        { ...ALPHA, issuer: "nope" },
        identity("beta", "102", [
          { target: "aws-staging" },
          { target: "gcp-prod", roles: ["viewer"] },
        ]),
      );
      const expected = check(args).filter((i) => i.severity === "error");
      assert.ok(expected.length >= 3, "the document has several errors");
      const { error, seen } = await registering(() => new TrustPlane("invalid", args));
      assert.deepEqual(issuesOf(error), expected);
      assert.deepEqual(seen, []);
    });

    it("throws for a provider given for no target, with every other option error", async () => {
      const provider = new AwsProvider("stray", { region: "eu-west-1" });
      const { error, seen } = await registering(
        () =>
          new TrustPlane("stray-provider", {
            ...document(ALPHA),
            providers: { "aws-prod": provider, "aws-staging": provider },
            only: ["azure"],
            adopt: { gcpPools: ["gcp-staging"] },
          }),
      );
      assert.deepEqual(
        issuesOf(error).map((i) => [i.code, i.path, i.message]),
        [
          [
            "unknown_target",
            ["providers", "aws-staging"],
            'providers names "aws-staging", which is no target of the document',
          ],
          [
            "invalid_value",
            ["adopt", "gcpPools", 0],
            '"gcp-staging" is not a GCP target with grants',
          ],
        ],
      );
      assert.deepEqual(customKeys(seen), []);
    });

    it("throws for `only` naming unknown targets or clouds, and registers nothing", async () => {
      const { error, seen } = await registering(
        () =>
          new TrustPlane("only-unknown", {
            ...document(identity("alpha", "101", [{ target: "aws-prod" }])),
            only: ["aws-prod", "aws-staging", "gcp"],
          }),
      );
      assert.deepEqual(
        issuesOf(error).map((i) => [i.code, i.path, i.message]),
        [
          [
            "invalid_value",
            ["only", 1],
            '"aws-staging" is neither a target with grants nor a cloud with grants; use one of aws, aws-prod',
          ],
          [
            "invalid_value",
            ["only", 2],
            '"gcp" is neither a target with grants nor a cloud with grants; use one of aws, aws-prod',
          ],
        ],
      );
      assert.deepEqual(seen, []);
    });

    // BUG (lib/backends/*/grant.ts): a repeated managed policy, Azure role or GCP role compiles
    // to two resources with one logical name; the Pulumi engine refuses duplicate URNs.
    it("never registers one type and name twice, even when a grant repeats a role", async () => {
      const args = document(
        identity("alpha", "101", [
          {
            target: "aws-prod",
            managedPolicyArns: [
              "arn:aws:iam::aws:policy/ReadOnlyAccess",
              "arn:aws:iam::aws:policy/ReadOnlyAccess",
            ],
          },
          { target: "gcp-prod", roles: ["roles/viewer", "roles/viewer"] },
        ]),
      );
      const { error, seen } = await registering(() => new TrustPlane("repeated", args));
      if (error !== undefined) {
        // rejecting the document is a fix too
        assert.ok(error instanceof TrustplaneError);
        return;
      }
      const keys = customKeys(seen);
      assert.deepEqual(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        [],
      );
    });

    it("throws a TrustplaneError naming a missing file, and registers nothing", async () => {
      const path = join(tmpdir(), "trustplane-no-such-intent.yaml");
      const { error, seen } = await registering(() => TrustPlane.fromFile("missing", path));
      assert.deepEqual(issuesOf(error), [
        {
          code: "invalid_syntax",
          severity: "error",
          path: [],
          message: `cannot read ${path}: no such file`,
        },
      ]);
      assert.equal(
        (error as Error).message,
        `the intent has 1 error:\n✖ invalid_syntax: cannot read ${path}: no such file`,
      );
      assert.deepEqual(seen, []);
    });

    it("throws a TrustplaneError for a value that contains itself, and registers nothing (issue 10)", async () => {
      const dir = mkdtempSync(join(tmpdir(), "trustplane-"));
      try {
        const path = join(dir, "intent.yaml");
        const example = readFileSync(
          join(__dirname, "..", "..", "examples", "platform.yaml"),
          "utf8",
        );
        // the api-deploy role's inline policy lists itself as its statement
        writeFileSync(
          path,
          example
            .replace("tfstate:\n", "tfstate: &p\n")
            .replace(
              'Version: "2012-10-17"\n            Statement:',
              'Version: "2012-10-17"\n            Loop: [*p]\n            Statement:',
            ),
        );
        const { error, seen } = await registering(() => TrustPlane.fromFile("recursive", path));
        assert.ok(error instanceof TrustplaneError, String(error));
        assert.deepEqual(
          issuesOf(error).map((i) => formatPath(i.path)),
          ["identities[0].grants[0].inlinePolicies.tfstate.Loop[0]"],
        );
        assert.deepEqual(seen, []);
      } finally {
        rmSync(dir, { recursive: true });
      }
    });

    it("throws a TrustplaneError locating malformed YAML by file, line and column", async () => {
      const dir = mkdtempSync(join(tmpdir(), "trustplane-"));
      try {
        const path = join(dir, "intent.yaml");
        writeFileSync(path, "version: 1\nissuers:\n  ci: { kind: github\ntargets: {}\n");
        const { error, seen } = await registering(() => TrustPlane.fromFile("malformed", path));
        const message = `${path}:3:7: the file is not valid YAML or JSON: this { is never closed; add a } after its last item\n   3 |   ci: { kind: github\n     |       ^`;
        assert.deepEqual(issuesOf(error), [
          { code: "invalid_syntax", severity: "error", path: [], message, line: 3, column: 7 },
        ]);
        assert.equal(
          (error as Error).message,
          `the intent has 1 error:\n✖ invalid_syntax: ${message}`,
        );
        assert.deepEqual(seen, []);
      } finally {
        rmSync(dir, { recursive: true });
      }
    });
    // BUG (TrustPlane.fromFile): the file's data is spread under the options and the
    // constructor strips `only`, `tags`, `adopt` and `providers` before compiling, so keys the
    // CLI rejects as unknown_key act as options instead (here: only aws-prod is deployed).
    it("rejects an intent file with a top-level `only`, as check does, and registers nothing", async () => {
      const dir = mkdtempSync(join(tmpdir(), "trustplane-"));
      try {
        const path = join(dir, "intent.json");
        const data = { ...document(ALPHA), only: ["aws-prod"] };
        writeFileSync(path, JSON.stringify(data));
        assert.deepEqual(
          check(data).map((i) => [i.code, i.path]),
          [["unknown_key", ["only"]]],
        );
        const { error, seen } = await registering(() => TrustPlane.fromFile("extra-key", path));
        assert.deepEqual(
          issuesOf(error).map((i) => [i.code, i.path]),
          [["unknown_key", ["only"]]],
        );
        assert.deepEqual(seen, []);
      } finally {
        rmSync(dir, { recursive: true });
      }
    });
  });

  describe("names", () => {
    /** Registered custom resources by key, with their inputs. */
    async function deploy(args: TrustPlaneArgs): Promise<Map<string, unknown>> {
      const { error, seen } = await registering(() => new TrustPlane("stable", args));
      assert.equal(error, undefined);
      return new Map(seen.filter((r) => r.custom).map((r) => [key(r), r.inputs]));
    }

    it("keep every resource's type, name and inputs when identities are reordered or added", async () => {
      const first = await deploy(document(ALPHA, BETA));
      const reordered = await deploy(document(BETA, ALPHA));
      const added = await deploy(document(ALPHA, GAMMA, BETA));
      assert.deepEqual(
        [...reordered].sort(([a], [b]) => a.localeCompare(b)),
        [...first].sort(([a], [b]) => a.localeCompare(b)),
      );
      for (const [k, inputs] of first) assert.deepEqual(added.get(k), inputs, k);
      assert.deepEqual(
        [...added.keys()].filter((k) => !first.has(k)).sort(),
        plannedKeys(planOf(document(GAMMA))).filter(
          (k) => !k.includes(" pool/") && !k.includes(" oidc-provider/"),
        ),
      );
    });

    for (const only of [["aws-prod"], ["gcp"], ["azure-prod", "gcp"]]) {
      it(`only: ${JSON.stringify(only)} registers exactly those targets' resources`, async () => {
        const args = document(ALPHA, BETA);
        const { error, seen } = await registering(
          () => new TrustPlane("subset", { ...args, only }),
        );
        assert.equal(error, undefined);
        const keep = (target: string, cloud: string) =>
          only.includes(target) || only.includes(cloud);
        assert.deepEqual(customKeys(seen), plannedKeys(planOf(args), keep));
        const clouds = ["aws", "azure", "gcp"].filter((c) => keep(`${c}-prod`, c));
        assert.deepEqual(seen.filter((r) => !r.custom).map(key), [
          "trustplane:index:TrustPlane subset",
          ...clouds.map(
            (c) =>
              `trustplane:${c}:${{ aws: "AwsTrust", azure: "AzureTrust", gcp: "GcpTrust" }[c]} subset-${c}`,
          ),
        ]);
      });
    }
  });

  it("gives the shared OIDC provider every audience of its identities as client IDs", async () => {
    const args = document(
      identity("alpha", "101", [{ target: "aws-prod" }]),
      identity("beta", "102", [{ target: "aws-prod", audience: "custom-aud" }]),
    );
    const { seen } = await registering(() => new TrustPlane("audiences", args));
    const provider = one(
      seen,
      AWS_TYPES.provider,
      "oidc-provider/111111111111/token.actions.githubusercontent.com",
    );
    assert.deepEqual(provider.inputs.clientIdLists, ["custom-aud", "sts.amazonaws.com"]);
  });

  it("registers every child of a target with the provider given for it, and no other", async () => {
    const { value, error, seen } = await registering(() => {
      const aws = new AwsProvider("aws-prod-provider", { region: "eu-west-1" });
      return {
        aws,
        plane: new TrustPlane("providers", { ...document(ALPHA), providers: { "aws-prod": aws } }),
      };
    });
    assert.equal(error, undefined);
    const reference = `${await valueOf(value!.aws.urn)}::${await valueOf(value!.aws.id)}`;
    assert.equal(
      reference,
      "urn:pulumi:test::trustplane::pulumi:providers:aws::aws-prod-provider::aws-prod-provider-id",
    );
    const custom = seen.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const withProvider = custom.filter((r) => r.provider === reference).map(key);
    assert.deepEqual(
      withProvider.sort(),
      plannedKeys(value!.plane.plan, (target) => target === "aws-prod"),
    );
    assert.deepEqual(
      custom.filter((r) => r.provider !== reference).map((r) => r.provider),
      custom.filter((r) => r.provider !== reference).map(() => ""),
    );
  });

  it("tags the AWS OIDC provider and roles and the Azure identities, and nothing else", async () => {
    const tags = { team: "platform" };
    const { seen } = await registering(
      () => new TrustPlane("tagged", { ...document(ALPHA), tags }),
    );
    const tagged = seen
      .filter((r) => r.inputs.tags !== undefined)
      .sort((a, b) => key(a).localeCompare(key(b)));
    assert.deepEqual(
      tagged.map((r) => [key(r), r.inputs.tags]),
      [
        [
          `${AWS_TYPES.provider} oidc-provider/111111111111/token.actions.githubusercontent.com`,
          tags,
        ],
        [`${AWS_TYPES.role} alpha/aws-prod`, tags],
        [`${AZURE_TYPES.identity} alpha/azure-prod`, tags],
      ],
    );
  });
});
