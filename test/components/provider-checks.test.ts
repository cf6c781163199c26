import { strict as assert } from "node:assert";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import type * as pulumi from "@pulumi/pulumi";
import { TrustPlane } from "../../lib/components";
import type { TrustPlaneArgs } from "../../lib/components";
import { TrustplaneError } from "../../lib/errors";
import { TARGETS } from "../support/documents";
import { runScript } from "../support/child";
import {
  customKeys,
  mocks,
  registering,
  silenceWarnings,
  useMocks,
  valueOf,
} from "../support/mocks";

/** One GitHub identity (pinned by IDs: no warnings) with a grant in each of `targets`. */
function document(...targets: string[]): TrustPlaneArgs {
  return {
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
        grants: targets.map((target) => ({ target })),
      },
    ],
  } as unknown as TrustPlaneArgs;
}

/** Answers the invokes named in `answers` (by token), the others as the shared mocks do. */
function answering(answers: Record<string, Record<string, string>>): () => void {
  const original = mocks.call.bind(mocks);
  mocks.call = (args) => answers[args.token] ?? original(args);
  return () => {
    mocks.call = original;
  };
}

const CALLER = "aws:index/getCallerIdentity:getCallerIdentity";
const AZURE_CONFIG = "azure-native:authorization:getClientConfig";
const GCP_CONFIG = "gcp:organizations/getClientConfig:getClientConfig";

/**
 * The checks of what each target's provider really is, before anything of that target is sent
 * to the engine: a provider of another cloud, an AWS account or partition, an Azure subscription
 * or tenant other than the target's. Under mocks, which answer the invokes as a cloud would;
 * does NOT prove what a real provider reports.
 */
describe("TrustPlane: each target's provider is the target's", () => {
  before(useMocks);

  it("refuses a provider of another cloud for a target, and registers nothing", async () => {
    const { error, seen } = await registering(() => {
      const aws = new AwsProvider("aws", { region: "eu-west-1" });
      return new TrustPlane("wrong-cloud", {
        ...document("aws-prod", "gcp-prod"),
        providers: { "gcp-prod": aws, "aws-prod": {} as pulumi.ProviderResource },
      });
    });
    assert.ok(error instanceof TrustplaneError);
    assert.deepEqual(
      error.issues.map((i) => [i.code, i.path, i.message]),
      [
        [
          "provider_mismatch",
          ["providers", "gcp-prod"],
          'providers gives GCP target "gcp-prod" a provider of "aws"; give it a Provider of @pulumi/gcp',
        ],
        [
          "provider_mismatch",
          ["providers", "aws-prod"],
          'providers gives AWS target "aws-prod" something that is not a Pulumi provider; give it a Provider of @pulumi/aws',
        ],
      ],
    );
    assert.deepEqual(customKeys(seen), []);
  });

  /** Constructs a TrustPlane in a fresh process whose mocks answer `answers`; what it registered and why it failed. */
  function failing(targets: string[], answers: Record<string, object>) {
    return runScript(
      `
      const pulumi = require("@pulumi/pulumi");
      const { TrustPlane } = require("./lib/components/index.ts");
      const answers = ${JSON.stringify(answers)};
      const types = [];
      // pulumi's language host reports a failed input once and exits; so does this script
      let issues = "none";
      process.on("unhandledRejection", (e) => {
        if (issues === "none") issues = e.issues.map((i) => [i.code, i.path, i.message]);
      });
      (async () => {
        await pulumi.runtime.setMocks(
          {
            newResource: (a) => { types.push(a.type); return { id: a.name, state: a.inputs }; },
            call: (a) => answers[a.token] || a.inputs,
          },
          "checks", "test", false,
        );
        new TrustPlane("checks", ${JSON.stringify(document(...targets))});
        await new Promise((resolve) => setTimeout(resolve, 500));
        console.log(JSON.stringify({ types: types.sort(), issues }));
        process.exit(0);
      })().catch((e) => { console.error(e); process.exit(1); });
    `,
      { anyExit: true },
    ) as { types: string[]; issues: [string, string[], string][] };
  }

  it("fails before registering a role or OIDC provider when the AWS credentials are another account's", () => {
    const { types, issues } = failing(["aws-prod"], {
      [CALLER]: { accountId: "999999999999", arn: "arn:aws:iam::999999999999:user/ci" },
    });
    assert.deepEqual(issues, [
      [
        "provider_mismatch",
        ["providers", "aws-prod"],
        'the provider of target "aws-prod" reaches account "999999999999" where the target says "111111111111": nothing was deployed; give the target a provider with credentials for it (the TrustPlane option providers: { "aws-prod": … }) or correct the target',
      ],
    ]);
    assert.deepEqual(types, ["trustplane:aws:AwsTrust", "trustplane:index:TrustPlane"]);
  });

  it("refuses an AWS provider of another partition", () => {
    const { issues } = failing(["aws-prod"], {
      [CALLER]: { accountId: "111111111111", arn: "arn:aws-cn:iam::111111111111:user/ci" },
    });
    assert.match(issues[0]![2], /reaches partition "aws-cn" where the target says "aws"/);
  });

  it("fails before registering an Azure identity in another subscription, and AWS goes on", () => {
    const { types, issues } = failing(["aws-prod", "azure-prod"], {
      [AZURE_CONFIG]: {
        subscriptionId: "00000000-0000-0000-0000-00000000dead",
        tenantId: TARGETS["azure-prod"].tenantId,
      },
    });
    assert.deepEqual(
      issues.map(([code, path]) => [code, path]),
      [["provider_mismatch", ["providers", "azure-prod"]]],
    );
    assert.match(
      issues[0]![2],
      /reaches subscription "00000000-0000-0000-0000-00000000dead" where the target says "00000000-0000-0000-0000-00000000000b"/,
    );
    assert.deepEqual(types, [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "aws:iam/role:Role",
      "trustplane:aws:AwsTrust",
      "trustplane:azure:AzureTrust",
      "trustplane:index:TrustPlane",
    ]);
  });

  it("deploys when the caller is the target's account", async () => {
    const restore = answering({
      [CALLER]: { accountId: "111111111111", arn: "arn:aws:iam::111111111111:user/ci" },
    });
    try {
      const { value, seen } = await registering(() =>
        valueOf(new TrustPlane("right", document("aws-prod")).identities),
      );
      assert.ok(await value!);
      assert.deepEqual(customKeys(seen).length, 2);
    } finally {
      restore();
    }
  });

  it("accepts an Azure provider reporting the target's GUIDs in upper case", async () => {
    const target = TARGETS["azure-prod"];
    const restore = answering({
      [AZURE_CONFIG]: {
        subscriptionId: target.subscriptionId.toUpperCase(),
        tenantId: target.tenantId.toUpperCase(),
      },
    });
    try {
      const { value } = await registering(() =>
        valueOf(new TrustPlane("az-ok", document("azure-prod")).identities),
      );
      assert.ok(await value!);
    } finally {
      restore();
    }
  });

  describe("several targets of one cloud", () => {
    const AWS_B = { cloud: "aws", accountId: "222222222222" };
    const AZURE_B = { ...TARGETS["azure-prod"], resourceGroup: "other" };
    const GCP_B = { cloud: "gcp", projectId: "acme-staging", projectNumber: "210987654321" };

    /** `document` with extra targets, granted too. */
    function withTargets(extra: Record<string, object>, ...targets: string[]): TrustPlaneArgs {
      const args = document(...targets, ...Object.keys(extra));
      Object.assign(args.targets, structuredClone(extra));
      return args;
    }

    it("refuses two AWS accounts through the default provider, and registers nothing", async () => {
      const { error, seen } = await registering(
        () => new TrustPlane("two-accounts", withTargets({ "aws-b": AWS_B }, "aws-prod")),
      );
      assert.ok(error instanceof TrustplaneError, String(error));
      assert.deepEqual(
        error.issues.map((i) => [i.code, i.path, i.message]),
        [
          [
            "shared_provider",
            ["providers"],
            'AWS targets "aws-prod" (account "111111111111") and "aws-b" (account "222222222222") have no provider, so they would all be deployed through Pulumi\'s default AWS provider, which reaches one of them: give each its own (providers: { "aws-prod": …, "aws-b": … }), or deploy them from separate stacks (the option only)',
          ],
        ],
      );
      assert.deepEqual(seen, []);
    });

    it("refuses one provider object for two Azure subscriptions", async () => {
      const azureB = { ...AZURE_B, subscriptionId: "00000000-0000-0000-0000-0000000000bb" };
      const { error, seen } = await registering(() => {
        const azure = new AzureProvider("shared", {});
        return new TrustPlane("one-for-two", {
          ...withTargets({ "azure-b": azureB }, "azure-prod"),
          providers: { "azure-prod": azure, "azure-b": azure },
        });
      });
      assert.ok(error instanceof TrustplaneError, String(error));
      assert.deepEqual(
        error.issues.map((i) => [i.code, i.path, i.message]),
        [
          [
            "shared_provider",
            ["providers", "azure-b"],
            'providers gives Azure targets "azure-prod" (subscription "00000000-0000-0000-0000-00000000000b") and "azure-b" (subscription "00000000-0000-0000-0000-0000000000bb") one provider, which reaches one of them: give each its own (providers: { "azure-prod": …, "azure-b": … }), or deploy them from separate stacks (the option only)',
          ],
        ],
      );
      assert.deepEqual(customKeys(seen), []);
    });

    it("deploys two AWS accounts with a provider each, each target's resources through its own", async () => {
      const { value, error, seen } = await registering(() => {
        const b = new AwsProvider("b", { region: "eu-west-1" });
        const plane = new TrustPlane("a-provider-each", {
          ...withTargets({ "aws-b": AWS_B }, "aws-prod"),
          providers: { "aws-b": b },
        });
        return { b, plane };
      });
      assert.equal(error, undefined);
      const reference = `${await valueOf(value!.b.urn)}::${await valueOf(value!.b.id)}`;
      const through = (provider: string) =>
        customKeys(seen.filter((r) => r.provider === provider && r.type.startsWith("aws:")));
      // aws-prod through the default provider, aws-b through its own
      assert.deepEqual(through(""), [
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider oidc-provider/111111111111/token.actions.githubusercontent.com",
        "aws:iam/role:Role alpha/aws-prod",
      ]);
      assert.deepEqual(through(reference), [
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider oidc-provider/222222222222/token.actions.githubusercontent.com",
        "aws:iam/role:Role alpha/aws-b",
      ]);
    });

    it("deploys one of two AWS accounts with only, through the default provider", async () => {
      const { error, seen } = await registering(
        () =>
          new TrustPlane("only-one", {
            ...withTargets({ "aws-b": AWS_B }, "aws-prod"),
            only: ["aws-b"],
          }),
      );
      assert.equal(error, undefined);
      assert.deepEqual(customKeys(seen), [
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider oidc-provider/222222222222/token.actions.githubusercontent.com",
        "aws:iam/role:Role alpha/aws-b",
      ]);
    });

    it("deploys Azure resource groups of one subscription, and GCP projects, through default providers", async () => {
      const { error, seen } = await registering(
        () =>
          new TrustPlane("one-place", {
            ...withTargets({ "azure-b": AZURE_B, "gcp-b": GCP_B }, "azure-prod", "gcp-prod"),
          }),
      );
      assert.equal(error, undefined);
      assert.deepEqual(
        customKeys(seen).filter((k) => k.includes("UserAssignedIdentity") || k.includes("Pool ")),
        [
          "azure-native:managedidentity:UserAssignedIdentity alpha/azure-b",
          "azure-native:managedidentity:UserAssignedIdentity alpha/azure-prod",
          "gcp:iam/workloadIdentityPool:WorkloadIdentityPool pool/acme-prod/trustplane",
          "gcp:iam/workloadIdentityPool:WorkloadIdentityPool pool/acme-staging/trustplane",
        ],
      );
    });
  });

  it("warns, and deploys, when a GCP provider defaults to another project (resources name theirs)", async () => {
    const restore = answering({ [GCP_CONFIG]: { project: "someone-else" } });
    const quiet = silenceWarnings();
    try {
      const { value } = await registering(() =>
        valueOf(new TrustPlane("gcp", document("gcp-prod")).identities),
      );
      assert.ok(await value!);
      assert.deepEqual(quiet.messages, [
        'the provider of target "gcp-prod" defaults to project "someone-else", not the target\'s "acme-prod": trustplane\'s resources name "acme-prod" explicitly, so check that the provider\'s credentials are meant for it',
      ]);
    } finally {
      quiet.restore();
      restore();
    }
  });
});
