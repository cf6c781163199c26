import { strict as assert } from "node:assert";
import { analyse } from "../../lib/compile";
import { isError } from "../../lib/errors";
import { buildHandoffs } from "../support/handoffs";
import type { AzureHandoff, IdentityHandoff } from "../../lib/render/model";
import { placeholderText } from "../../lib/render/model";
import { StackValues } from "../../lib/render/outputs";
import { ALL_GRANTS, oneIdentity } from "../support/documents";

const GITHUB = { kind: "github" };
const API = { repository: "acme/api", environment: "production" };

/** One GitHub identity `deploy` with a grant in every cloud and this hand-off. */
function withHandoff(
  handoff: object,
  grants: object[] = ALL_GRANTS,
  issuer: Record<string, unknown> = GITHUB,
) {
  const doc = oneIdentity(issuer, [API], grants as never) as unknown as {
    identities: Record<string, unknown>[];
  };
  doc.identities[0]!.handoff = handoff;
  return doc;
}

/** `[code, path, message]` of every error. */
function errors(doc: unknown): [string, string, string][] {
  return analyse(doc)
    .issues.filter(isError)
    .map((i) => [i.code, i.path.join("."), i.message]);
}

function handoff(doc: unknown, stacks?: StackValues): IdentityHandoff {
  const built = buildHandoffs(doc, stacks);
  assert.ok(built.handoffs, JSON.stringify(built.issues));
  return built.handoffs[0]!;
}

const AT = "identities.0.handoff";

/**
 * The `handoff` section: what `check` refuses, with paths and messages, and the values the
 * renderers receive. Does not prove the rendered files (test/render/terraform.test.ts, ci.test.ts).
 */
describe("handoff", () => {
  it("is checked by check, like the rest of the document", () => {
    assert.deepEqual(
      errors(
        withHandoff({
          ci: "gitlab",
          targets: ["aws-prod", "aws-staging"],
          backend: { target: "gcp-prod", bucket: "acme-state", key: "x" },
        }),
      ),
      [
        [
          "invalid_value",
          `${AT}.ci`,
          'ci "gitlab" needs tokens from its own issuer, but this identity trusts a github issuer; use "github" or "none"',
        ],
        [
          "unknown_target",
          `${AT}.targets.1`,
          '"aws-staging" is not a target this identity has a grant for; use one of aws-prod, azure-prod, gcp-prod',
        ],
        [
          "unknown_target",
          `${AT}.backend.target`,
          "the backend's target \"gcp-prod\" is not among the hand-off's grants (aws-prod); the state is read with one of them",
        ],
        [
          "missing_key",
          `${AT}.awsRegion`,
          "the AWS provider needs a region: set awsRegion, e.g. awsRegion: eu-west-1",
        ],
      ],
    );
  });

  it("refuses another backend's keys and names the missing ones", () => {
    assert.deepEqual(
      errors(
        withHandoff({
          awsRegion: "eu-west-1",
          backend: { target: "azure-prod", bucket: "acme-state", container: "tfstate" },
        }),
      ),
      [
        [
          "grant_option_mismatch",
          `${AT}.backend.bucket`,
          "bucket is not a setting of the azurerm backend (azure-prod is an azure target); it takes storageAccount, container, key",
        ],
        [
          "missing_key",
          `${AT}.backend.storageAccount`,
          "the azurerm backend needs storageAccount; it takes storageAccount, container, key",
        ],
        [
          "missing_key",
          `${AT}.backend.key`,
          "the azurerm backend needs key; it takes storageAccount, container, key",
        ],
      ],
    );
  });

  it("refuses two grants of one cloud unless targets picks one", () => {
    const grants = [
      { target: "aws-prod" },
      { target: "aws-two" },
      { target: "gcp-prod", roles: ["roles/viewer"] },
    ];
    const doc = withHandoff({ awsRegion: "eu-west-1" }, grants) as unknown as {
      targets: Record<string, unknown>;
    };
    doc.targets["aws-two"] = { cloud: "aws", accountId: "222222222222" };
    assert.deepEqual(errors(doc), [
      [
        "invalid_value",
        AT,
        "the hand-off would configure 2 aws grants (aws-prod, aws-two), and one Terraform configuration authenticates to each cloud once; list one per cloud in targets",
      ],
    ]);
    const picked = doc as unknown as { identities: { handoff: { targets: string[] } }[] };
    picked.identities[0]!.handoff.targets = ["aws-two", "gcp-prod"];
    assert.deepEqual(errors(doc), []);
    assert.deepEqual(
      handoff(doc).grants.map((g) => g.target),
      ["aws-two", "gcp-prod"],
    );
  });

  it("refuses a backend for HCP Terraform, which keeps the state in the workspace", () => {
    const tfc = { kind: "terraform-cloud" };
    const subject = {
      terraform_organization_name: "acme",
      terraform_project_name: "platform",
      terraform_workspace_name: "app",
      terraform_run_phase: "apply",
    };
    const doc = oneIdentity(tfc, [subject], ALL_GRANTS) as unknown as {
      identities: Record<string, unknown>[];
    };
    doc.identities[0]!.handoff = {
      awsRegion: "eu-west-1",
      backend: { target: "aws-prod", bucket: "acme-state", key: "k" },
    };
    assert.deepEqual(errors(doc), [
      [
        "invalid_value",
        `${AT}.backend`,
        "HCP Terraform keeps the state in the workspace, which the tokens name; remove backend",
      ],
    ]);
  });

  it("refuses malformed values through the schema", () => {
    assert.deepEqual(
      errors(withHandoff({ awsRegion: "Europe", tokenDirectory: "tokens", ci: "jenkins" })).map(
        ([code, path]) => [code, path],
      ),
      [
        ["invalid_value", `${AT}.ci`],
        ["invalid_value", `${AT}.awsRegion`],
        ["invalid_value", `${AT}.tokenDirectory`],
      ],
    );
  });

  it("hands the renderers every value, a placeholder for the client ID until a stack reports it", () => {
    const doc = withHandoff({
      awsRegion: "eu-west-1",
      backend: {
        target: "azure-prod",
        storageAccount: "acmestate",
        container: "tfstate",
        key: "k",
      },
    });
    const before = buildHandoffs(doc);
    const text = placeholderText("deploy", "azure-prod", "clientId");
    assert.deepEqual(before.placeholders, [
      { identity: "deploy", target: "azure-prod", output: "clientId", text },
    ]);
    const stacks = new StackValues();
    const client = "0f0e0d0c-0b0a-0908-0706-050403020100";
    assert.deepEqual(
      stacks.add(
        { summary: { identities: { deploy: { grants: { "azure-prod": { clientId: client } } } } } },
        "outputs.json",
      ),
      [],
    );
    const h = handoff(doc, stacks);
    assert.equal(h.ci, "github");
    assert.equal(h.tokenDirectory, "/tmp/trustplane");
    const azure = h.grants.find((g): g is AzureHandoff => g.cloud === "azure")!;
    assert.deepEqual(azure, {
      target: "azure-prod",
      audience: "api://AzureADTokenExchange",
      cloud: "azure",
      clientId: client,
      tenantId: "00000000-0000-0000-0000-00000000000a",
      subscriptionId: "00000000-0000-0000-0000-00000000000b",
    });
    assert.deepEqual(h.backend, {
      kind: "azurerm",
      grant: azure,
      config: { target: "azure-prod", storageAccount: "acmestate", container: "tfstate", key: "k" },
    });
  });
});

describe("stack outputs", () => {
  const CLIENT = "0f0e0d0c-0b0a-0908-0706-050403020100";
  const OTHER_CLIENT = "1f0e0d0c-0b0a-0908-0706-050403020100";

  it("reads the summary and the identities output, at the top or under an export name", () => {
    for (const json of [
      { identities: { deploy: { "azure-prod": { clientId: CLIENT } } } },
      { platform: { identities: { deploy: { "azure-prod": { clientId: CLIENT } } } } },
      { summary: { identities: { deploy: { grants: { "azure-prod": { clientId: CLIENT } } } } } },
    ]) {
      const stacks = new StackValues();
      assert.deepEqual(stacks.add(json, "o.json"), []);
      assert.equal(stacks.get("deploy", "azure-prod", "clientId"), CLIENT, JSON.stringify(json));
    }
  });

  it("refuses a file without TrustPlane outputs, and two stacks that disagree", () => {
    const stacks = new StackValues();
    assert.deepEqual(
      stacks.add({ bucket: "x" }, "o.json").map((i) => i.message),
      [
        "o.json holds no TrustPlane outputs: pass the JSON of `pulumi stack output --json` of a stack that exports the TrustPlane's summary (or identities)",
      ],
    );
    stacks.add({ identities: { deploy: { "azure-prod": { clientId: CLIENT } } } }, "a.json");
    assert.deepEqual(
      stacks
        .add({ identities: { deploy: { "azure-prod": { clientId: OTHER_CLIENT } } } }, "b.json")
        .map((i) => i.message),
      [
        `b.json reports clientId "${OTHER_CLIENT}" for deploy in azure-prod, another outputs file "${CLIENT}"; pass the outputs of one deployment`,
      ],
    );
  });

  it("refuses outputs that contradict what the document compiles to", () => {
    const stacks = new StackValues();
    stacks.add(
      { identities: { deploy: { "aws-prod": { roleArn: "arn:aws:iam::111111111111:role/old" } } } },
      "o.json",
    );
    const built = buildHandoffs(withHandoff({ awsRegion: "eu-west-1" }), stacks);
    assert.deepEqual(
      built.issues.filter(isError).map((i) => i.message),
      [
        'the stack outputs give deploy in aws-prod roleArn "arn:aws:iam::111111111111:role/old", the document compiles to "arn:aws:iam::111111111111:role/deploy"; deploy this document (pulumi up) or render the one the stack was deployed from',
      ],
    );
  });
});
