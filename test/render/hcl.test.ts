import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import {
  expression,
  printHcl,
  printTerraformJson,
  terraformJson,
  type HclBlock,
  type HclBody,
  type HclValue,
} from "../../lib/render/hcl";
import {
  asHcl2json,
  requireTerraform,
  hcl2json,
  inTempDir,
  nfc,
  terraform,
  type Parse,
} from "../support/terraform";

// ---- representative bodies and their exact text

const S3_BACKEND: HclBody = [
  {
    block: "terraform",
    body: [
      {
        block: "backend",
        labels: ["s3"],
        body: [
          { attribute: "bucket", value: "acme-tfstate" },
          { attribute: "key", value: "api/terraform.tfstate" },
          { attribute: "region", value: "eu-west-1" },
          { attribute: "use_lockfile", value: true },
          {
            attribute: "assume_role_with_web_identity",
            value: {
              role_arn: "arn:aws:iam::111111111111:role/tfstate",
              session_name: "trustplane",
              web_identity_token_file: "/tmp/web-identity-token",
            },
          },
        ],
      },
    ],
  },
];
const S3_BACKEND_TF = `terraform {
  backend "s3" {
    bucket       = "acme-tfstate"
    key          = "api/terraform.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
    assume_role_with_web_identity = {
      role_arn                = "arn:aws:iam::111111111111:role/tfstate"
      session_name            = "trustplane"
      web_identity_token_file = "/tmp/web-identity-token"
    }
  }
}
`;
const S3_BACKEND_JSON = `{
  "terraform": {
    "backend": {
      "s3": {
        "bucket": "acme-tfstate",
        "key": "api/terraform.tfstate",
        "region": "eu-west-1",
        "use_lockfile": true,
        "assume_role_with_web_identity": {
          "role_arn": "arn:aws:iam::111111111111:role/tfstate",
          "session_name": "trustplane",
          "web_identity_token_file": "/tmp/web-identity-token"
        }
      }
    }
  }
}
`;

const AZURERM: HclBody = [
  {
    block: "provider",
    labels: ["azurerm"],
    body: [
      { attribute: "use_oidc", value: true },
      { attribute: "client_id", value: "00000000-0000-0000-0000-000000000001" },
      { attribute: "tenant_id", value: "00000000-0000-0000-0000-000000000002" },
      { attribute: "subscription_id", value: "00000000-0000-0000-0000-000000000003" },
      { block: "features", body: [] },
    ],
  },
];
const AZURERM_TF = `provider "azurerm" {
  use_oidc        = true
  client_id       = "00000000-0000-0000-0000-000000000001"
  tenant_id       = "00000000-0000-0000-0000-000000000002"
  subscription_id = "00000000-0000-0000-0000-000000000003"

  features {}
}
`;

const GOOGLE: HclBody = [
  {
    block: "provider",
    labels: ["google"],
    body: [
      { attribute: "project", value: "acme-prod" },
      { attribute: "region", value: "europe-west1" },
      { attribute: "default_labels", value: { "managed-by": "trustplane", team: "api" } },
    ],
  },
];
const GOOGLE_TF = `provider "google" {
  project = "acme-prod"
  region  = "europe-west1"
  default_labels = {
    managed-by = "trustplane"
    team       = "api"
  }
}
`;

const awsProvider = (alias: string, account: string): HclBlock => ({
  block: "provider",
  labels: ["aws"],
  body: [
    { attribute: "alias", value: alias },
    { attribute: "region", value: "eu-west-1" },
    { attribute: "allowed_account_ids", value: [account] },
    {
      block: "assume_role_with_web_identity",
      body: [
        { attribute: "role_arn", value: `arn:aws:iam::${account}:role/api-deploy` },
        { attribute: "web_identity_token_file", value: "/tmp/web-identity-token" },
      ],
    },
  ],
});
const AWS_ALIASES: HclBody = [
  awsProvider("prod", "111111111111"),
  awsProvider("dev", "222222222222"),
];
const AWS_ALIASES_TF = `provider "aws" {
  alias               = "prod"
  region              = "eu-west-1"
  allowed_account_ids = ["111111111111"]

  assume_role_with_web_identity {
    role_arn                = "arn:aws:iam::111111111111:role/api-deploy"
    web_identity_token_file = "/tmp/web-identity-token"
  }
}

provider "aws" {
  alias               = "dev"
  region              = "eu-west-1"
  allowed_account_ids = ["222222222222"]

  assume_role_with_web_identity {
    role_arn                = "arn:aws:iam::222222222222:role/api-deploy"
    web_identity_token_file = "/tmp/web-identity-token"
  }
}
`;
const AWS_ALIASES_JSON = {
  provider: {
    aws: [
      {
        alias: "prod",
        region: "eu-west-1",
        allowed_account_ids: ["111111111111"],
        assume_role_with_web_identity: {
          role_arn: "arn:aws:iam::111111111111:role/api-deploy",
          web_identity_token_file: "/tmp/web-identity-token",
        },
      },
      {
        alias: "dev",
        region: "eu-west-1",
        allowed_account_ids: ["222222222222"],
        assume_role_with_web_identity: {
          role_arn: "arn:aws:iam::222222222222:role/api-deploy",
          web_identity_token_file: "/tmp/web-identity-token",
        },
      },
    ],
  },
};

const TFE_VARIABLE: HclBody = [
  {
    block: "data",
    labels: ["tfe_workspace", "app"],
    body: [
      { attribute: "name", value: "api-prod" },
      { attribute: "organization", value: "acme" },
    ],
  },
  {
    block: "resource",
    labels: ["tfe_variable", "aws_run_role_arn"],
    body: [
      { attribute: "key", value: "TFC_AWS_RUN_ROLE_ARN" },
      { attribute: "value", value: "arn:aws:iam::111111111111:role/api-deploy" },
      { attribute: "category", value: "env" },
      { attribute: "workspace_id", value: expression("data.tfe_workspace.app.id") },
    ],
  },
];
const TFE_VARIABLE_TF = `data "tfe_workspace" "app" {
  name         = "api-prod"
  organization = "acme"
}

resource "tfe_variable" "aws_run_role_arn" {
  key          = "TFC_AWS_RUN_ROLE_ARN"
  value        = "arn:aws:iam::111111111111:role/api-deploy"
  category     = "env"
  workspace_id = data.tfe_workspace.app.id
}
`;
const TFE_VARIABLE_JSON = {
  data: { tfe_workspace: { app: { name: "api-prod", organization: "acme" } } },
  resource: {
    tfe_variable: {
      aws_run_role_arn: {
        key: "TFC_AWS_RUN_ROLE_ARN",
        value: "arn:aws:iam::111111111111:role/api-deploy",
        category: "env",
        workspace_id: "${data.tfe_workspace.app.id}",
      },
    },
  },
};

const COMMENTED: HclBody = [
  { comment: "Generated by trustplane; edit the intent, not this file.\n\nSee README.md.  " },
  {
    block: "resource",
    labels: ["tfe_variable", "gcp_provider_auth"],
    body: [
      { comment: "HCP Terraform reads these to federate with GCP" },
      { attribute: "key", value: "TFC_GCP_PROVIDER_AUTH" },
      { attribute: "value", value: "true" },
      { comment: "one workspace per environment" },
      { attribute: "workspace_id", value: expression("data.tfe_workspace.app.id") },
      { attribute: "category", value: "env" },
      { block: "lifecycle", body: [{ attribute: "prevent_destroy", value: true }] },
      { comment: "end" },
    ],
  },
];
const COMMENTED_TF = `# Generated by trustplane; edit the intent, not this file.
#
# See README.md.
resource "tfe_variable" "gcp_provider_auth" {
  # HCP Terraform reads these to federate with GCP
  key   = "TFC_GCP_PROVIDER_AUTH"
  value = "true"
  # one workspace per environment
  workspace_id = data.tfe_workspace.app.id
  category     = "env"

  lifecycle {
    prevent_destroy = true
  }

  # end
}
`;
const COMMENTED_JSON = {
  "//": "Generated by trustplane; edit the intent, not this file.\n\nSee README.md.",
  resource: {
    tfe_variable: {
      gcp_provider_auth: {
        "//": "HCP Terraform reads these to federate with GCP\none workspace per environment\nend",
        key: "TFC_GCP_PROVIDER_AUTH",
        value: "true",
        workspace_id: "${data.tfe_workspace.app.id}",
        category: "env",
        lifecycle: { prevent_destroy: true },
      },
    },
  },
};

const LISTS: HclBody = [
  { attribute: "empty_list", value: [] },
  { attribute: "empty_object", value: {} },
  { attribute: "scalars", value: ["a", 1, -2.5, true, expression("var.x"), [], {}] },
  {
    attribute: "objects",
    value: [{ name: "a", "not an identifier": 1, for: 2 }, "b", [{ c: [] }]],
  },
  { attribute: "n", value: 1e21 },
];
const LISTS_TF = `empty_list   = []
empty_object = {}
scalars      = ["a", 1, -2.5, true, var.x, [], {}]
objects = [
  {
    name                = "a"
    "not an identifier" = 1
    "for"               = 2
  },
  "b",
  [
    {
      c = []
    },
  ],
]
n = 1e+21
`;

const EXAMPLES: Record<string, HclBody> = {
  S3_BACKEND,
  AZURERM,
  GOOGLE,
  AWS_ALIASES,
  TFE_VARIABLE,
  COMMENTED,
  LISTS,
};

// ---- hostile strings and random bodies

/** Each string and how it must appear in `.tf` and in `.tf.json` (as the decoded JSON string). */
const HOSTILE: readonly (readonly [input: string, tf: string, json: string])[] = [
  ["${var.x}", '"$${var.x}"', "$${var.x}"],
  ["%{ if x }y%{ endif }", '"%%{ if x }y%%{ endif }"', "%%{ if x }y%%{ endif }"],
  ["$${already}", '"$$${already}"', "$$${already}"],
  ["%%{already}", '"%%%{already}"', "%%%{already}"],
  ["${~x}", '"$${~x}"', "$${~x}"],
  ["ends in $", '"ends in $"', "ends in $"],
  ["ends in %", '"ends in %"', "ends in %"],
  ["$$ %% $ % { }", '"$$ %% $ % { }"', "$$ %% $ % { }"],
  ['say "hi" \\ bye', '"say \\"hi\\" \\\\ bye"', 'say "hi" \\ bye'],
  ["\\${x}", '"\\\\$${x}"', "\\$${x}"],
  ["a\nb\r\nc\td", '"a\\nb\\r\\nc\\td"', "a\nb\r\nc\td"],
  ["\u0000\u0001\u001f\u007f", '"\\u0000\\u0001\\u001f\\u007f"', "\u0000\u0001\u001f\u007f"],
  ["\u2028\u2029\u00a0\ufeff", '"\\u2028\\u2029\\u00a0\\ufeff"', "\u2028\u2029\u00a0\ufeff"],
  [
    "👨\u200d👩 \ue000 \u{e0001}",
    '"👨\\u200d👩 \\ue000 \\U000e0001"',
    "👨\u200d👩 \ue000 \u{e0001}",
  ],
  ["é 😀 中文 e\u0301", '"é 😀 中文 e\u0301"', "é 😀 中文 e\u0301"],
  ["a\r$${b}", '"a\\r$$${b}"', '${"a\\r$$${b}"}'],
  ["", '""', ""],
];

const TEMPLATE_BITS = ["${", "%{", "$${", "%%{", "$", "%", "{", "}", "~", '"', "\\", "\\n"];
const ODD_TEXT = [
  "\n",
  "\r\n",
  "\r",
  "\t",
  "\u0000",
  "\u007f",
  "\u2028",
  "\u00a0",
  "\u200d",
  "é",
  "e\u0301",
  "😀",
  "中文",
];
/** Strings of any code points, template introducers, escapes and line breaks. */
const hostile = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 2 }) },
    { weight: 3, arbitrary: fc.constantFrom(...TEMPLATE_BITS) },
    fc.constantFrom(...ODD_TEXT),
  ),
  maxLength: 10,
});
/**
 * The same from ASCII and a fixed list of other text: labels and keys in text `terraform fmt`
 * checks, since Go in terraform (Unicode 15) and V8 (newer) may differ on which code points are
 * printable (labels) or one grapheme (key alignment).
 */
const hostileStable = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 2 }) },
    { weight: 3, arbitrary: fc.constantFrom(...TEMPLATE_BITS) },
    fc.constantFrom(...ODD_TEXT),
  ),
  maxLength: 10,
});
const identifier = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/) },
  fc.constantFrom("for", "if", "in", "null", "true", "count", "__proto__", "constructor"),
);
const commentText = fc
  .string({
    unit: fc.oneof(fc.string({ unit: "grapheme" }), fc.constantFrom("\n", "#", "*/", "${")),
  })
  .filter((text) => !/[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029]/.test(text)); // eslint-disable-line no-control-regex -- printable only
const EXPRESSIONS = [
  "var.name",
  "data.tfe_workspace.app.id",
  'local.tags["team"]',
  "aws_iam_role.deploy.arn",
  'upper("x")',
  "[for s in var.list : upper(s)]",
];

/** Keeps the first of keys that Terraform reads as one (it holds strings in NFC). */
function dropNfcTwins(object: Record<string, HclValue>): Record<string, HclValue> {
  const seen = new Set<string>();
  return Object.fromEntries(
    Object.entries(object).filter(
      ([key]) => !seen.has(key.normalize("NFC")) && seen.add(key.normalize("NFC")),
    ),
  );
}

/** Values without expressions (what `terraform output` can hand back), keys from `keyText`. */
function dataArbitrary(keyText: fc.Arbitrary<string>): fc.Arbitrary<HclValue> {
  const key = fc.oneof(identifier, keyText);
  return fc.letrec<{ value: HclValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth: 3 },
      hostile,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(key, tie("value"), { maxKeys: 3 }).map(dropNfcTwins),
    ),
  })).value;
}

/** Drops attributes whose name is already taken in the body, which Terraform would refuse. */
function uniqueNames(items: HclBody): HclBody {
  const taken = new Set(items.flatMap((item) => ("block" in item ? [item.block] : [])));
  return items.filter((item) => {
    if (!("attribute" in item)) return true;
    if (taken.has(item.attribute)) return false;
    taken.add(item.attribute);
    return true;
  });
}

/** Random bodies; labels and object keys from `text` (labels without `$`/`%`, in NFC). */
function bodyArbitrary(text: fc.Arbitrary<string>): fc.Arbitrary<HclBody> {
  const value = fc.oneof(
    { weight: 4, arbitrary: dataArbitrary(text) },
    fc.constantFrom(...EXPRESSIONS).map(expression),
    fc
      .dictionary(text, fc.constantFrom(...EXPRESSIONS).map(expression), { maxKeys: 2 })
      .map(dropNfcTwins),
  );
  const label = text.map((l) => l.replace(/[$%]/g, "").normalize("NFC"));
  return fc.letrec<{ body: HclBody; item: HclBody[number] }>((tie) => ({
    body: fc.array(tie("item"), { maxLength: 5 }).map(uniqueNames),
    item: fc.oneof(
      { depthSize: "small", maxDepth: 3 },
      fc.record({ attribute: identifier, value }),
      fc.record({ comment: commentText }),
      // a block type always has the same label count (its length mod 3), as Terraform's schemas do
      fc
        .tuple(identifier, fc.array(label, { minLength: 2, maxLength: 2 }), tie("body"))
        .map(([block, labels, body]): HclBlock => ({
          block,
          labels: labels.slice(0, block.length % 3),
          body,
        })),
    ),
  })).body;
}

// ---- terraform

/** What `terraform output -json` decodes from a config of one output per value. */
function decodeOutputs(file: string, text: string): Record<string, unknown> {
  return inTempDir("trustplane-hcl-", (dir) => {
    writeFileSync(join(dir, file), text);
    for (const args of [
      ["init", "-input=false"],
      ["apply", "-auto-approve", "-input=false"],
    ]) {
      const run = terraform(args, { cwd: dir });
      assert.equal(run.status, 0, `terraform ${args[0]} failed:\n${run.stderr}`);
    }
    const outputs = JSON.parse(terraform(["output", "-json"], { cwd: dir }).stdout) as Record<
      string,
      { value: unknown }
    >;
    return Object.fromEntries(
      Object.entries(outputs).map(([name, output]) => [name, output.value]),
    );
  });
}

/** One output per value, with comments at the top and in each output. */
const outputsOf = (values: readonly HclValue[]): HclBody => [
  { comment: "hostile values" },
  ...values.map((v, i) => ({
    block: "output",
    labels: [`v${i}`],
    body: [{ comment: `value ${i}` }, { attribute: "value", value: v }],
  })),
];

// ---- the tests

/**
 * Proves: the exact `.tf` and `.tf.json` text of representative bodies and hostile strings; that
 * hcl2json reads the printed `.tf` back as `terraformJson` of the same body (the examples, and 150
 * random bodies with hostile strings, keys and labels); and, where terraform is on PATH, that the
 * examples and 50 random bodies are `terraform fmt`-canonical and that Terraform decodes hostile
 * strings, keys and nested values (fixed and 40 random) to exactly the input, up to NFC, from
 * `.tf` and `.tf.json` alike, comments included.
 *
 * Does not prove: that any provider or backend accepts the attributes, or that Terraform takes an
 * array of provider bodies (no provider schemas offline); that labels survive Terraform itself
 * (its names must be identifiers, so only hcl2json and fmt see hostile labels); `=` alignment for
 * text on which Go's textseg and ICU split graphemes differently (fmt sees ASCII-and-listed keys
 * only); or other terraform versions than the one on PATH (1.11.4 when written).
 */
describe("render/hcl", () => {
  describe("exact text", () => {
    const cases: [string, HclBody, string][] = [
      ["an s3 backend with an object attribute", S3_BACKEND, S3_BACKEND_TF],
      ["an azurerm provider with features {}", AZURERM, AZURERM_TF],
      ["a google provider with a map", GOOGLE, GOOGLE_TF],
      ["two aliased aws providers with a nested block", AWS_ALIASES, AWS_ALIASES_TF],
      ["a tfe_variable with an expression", TFE_VARIABLE, TFE_VARIABLE_TF],
      ["comments above items, which end alignment runs", COMMENTED, COMMENTED_TF],
      ["lists, objects and numbers", LISTS, LISTS_TF],
    ];
    for (const [title, body, expected] of cases)
      it(`prints ${title}`, () => assert.equal(printHcl(body), expected));

    it("prints the s3 backend as Terraform JSON", () =>
      assert.equal(printTerraformJson(S3_BACKEND), S3_BACKEND_JSON));
    it("gives repeated blocks at the same labels as an array", () =>
      assert.deepStrictEqual(terraformJson(AWS_ALIASES), AWS_ALIASES_JSON));
    it("nests blocks by label and writes expressions as ${…}", () =>
      assert.deepStrictEqual(terraformJson(TFE_VARIABLE), TFE_VARIABLE_JSON));
    it("joins a body's comments into its // property", () =>
      assert.deepStrictEqual(terraformJson(COMMENTED), COMMENTED_JSON));
    it("prints an empty body as empty text and {}", () => {
      assert.equal(printHcl([]), "");
      assert.equal(printTerraformJson([]), "{}\n");
    });

    for (const [input, tf, json] of HOSTILE) {
      it(`escapes ${JSON.stringify(input)} as ${tf}`, () => {
        assert.equal(printHcl([{ attribute: "v", value: input }]), `v = ${tf}\n`);
        assert.deepStrictEqual(terraformJson([{ attribute: "v", value: { [input]: input } }]), {
          v: { [json]: json },
        });
      });
    }

    it("quotes labels the same way in .tf and keeps them raw in .tf.json", () => {
      const body: HclBody = [{ block: "x", labels: ['a{b}"\n\u00a0é'], body: [] }];
      assert.equal(printHcl(body), 'x "a{b}\\"\\n\\u00a0é" {}\n');
      assert.deepStrictEqual(terraformJson(body), { x: { 'a{b}"\n\u00a0é': {} } });
    });
  });

  describe("errors", () => {
    const cases: [string, HclBody, RegExp][] = [
      [
        "an attribute name that is not an identifier",
        [{ attribute: "bad name", value: 1 }],
        /attribute "bad name" in the file is not an HCL identifier/,
      ],
      [
        "an attribute name starting with a digit",
        [{ attribute: "1x", value: 1 }],
        /attribute "1x"/,
      ],
      [
        "an empty block type",
        [{ block: "", body: [] }],
        /block type "" in the file is not an HCL identifier/,
      ],
      [
        "a nested block type that is not an identifier",
        [{ block: "a", body: [{ block: "b.c", body: [] }] }],
        /block type "b\.c" in the file > a is not/,
      ],
      [
        "NaN",
        [{ attribute: "n", value: NaN }],
        /the file > n is NaN; Terraform numbers are finite/,
      ],
      [
        "Infinity in a list",
        [{ attribute: "n", value: [1, -Infinity] }],
        /the file > n\[1\] is -Infinity/,
      ],
      [
        "a repeated attribute",
        [
          { attribute: "a", value: 1 },
          { attribute: "a", value: 2 },
        ],
        /a is an attribute twice in the file/,
      ],
      [
        "a block and an attribute of one name",
        [
          { attribute: "a", value: 1 },
          { block: "a", body: [] },
        ],
        /a is both an attribute and a block type in the file/,
      ],
      [
        "a block type with two label counts",
        [
          { block: "p", labels: ["x"], body: [] },
          { block: "p", body: [] },
        ],
        /p blocks in the file have different numbers of labels/,
      ],
      [
        "an expression not made by expression()",
        [{ attribute: "e", value: { expression: "var.x" } }],
        /was not made by expression\(\)/,
      ],
      [
        "a multi-line expression",
        [{ attribute: "e", value: expression("a +\nb") }],
        /must be one non-empty line/,
      ],
      [
        "a label with % in it",
        [{ block: "r", labels: ["100%"], body: [] }],
        /label "100%" in the file > r has \$ or %.*hashicorp\/terraform#35417/,
      ],
      ["a label not in NFC", [{ block: "r", labels: ["e\u0301"], body: [] }], /is not in NFC/],
      [
        "two keys that are one in NFC",
        [{ attribute: "o", value: { "\u00e9": 1, "e\u0301": 2 } }],
        /the file > o has two keys that are one in NFC/,
      ],
      ["a lone surrogate", [{ attribute: "s", value: "a\uD800" }], /lone surrogate/],
      [
        "a control character in a comment",
        [{ comment: "a\u0000" }],
        /control character other than a newline/,
      ],
      [
        "a value that is not an HCL value",
        [{ attribute: "u", value: undefined as unknown as HclValue }],
        /the file > u is undefined/,
      ],
    ];
    for (const [title, body, message] of cases) {
      it(`refuses ${title}, in both printers`, () => {
        assert.throws(() => printHcl(body), message);
        assert.throws(() => terraformJson(body), message);
      });
    }
  });

  describe("round trip through hcl2json", () => {
    let parse: Parse;
    before(() => {
      parse = hcl2json();
    });

    for (const [name, body] of Object.entries(EXAMPLES)) {
      it(`reads ${name} back as its Terraform JSON`, async () => {
        assert.deepStrictEqual(
          await parse("main.tf", printHcl(body)),
          asHcl2json(body, terraformJson(body)),
        );
      });
    }

    // 150 runs × ~37 ms per parse ≈ 6 s
    it("reads random bodies with hostile strings back as their Terraform JSON", async () => {
      await fc.assert(
        fc.asyncProperty(bodyArbitrary(hostile), async (body) => {
          const parsed = await parse("main.tf", printHcl(body));
          assert.deepStrictEqual(nfc(parsed), nfc(asHcl2json(body, terraformJson(body))));
        }),
        { numRuns: 150 },
      );
    });
  });

  describe("with terraform", () => {
    before(requireTerraform("the fmt and decoding checks"));

    it("finds every example canonical (terraform fmt -check)", () => {
      for (const [name, body] of Object.entries(EXAMPLES)) {
        const run = terraform(["fmt", "-check", "-diff", "-"], { input: printHcl(body) });
        assert.equal(run.status, 0, `${name} is not canonical:\n${run.stdout}${run.stderr}`);
      }
    });

    // one fmt call for all files (~80 ms) instead of one per body
    it("finds 50 random bodies canonical", () => {
      const seed = Date.now();
      inTempDir("trustplane-fmt-", (dir) => {
        fc.sample(bodyArbitrary(hostileStable), { numRuns: 50, seed }).forEach((body, i) =>
          writeFileSync(join(dir, `b${i}.tf`), printHcl(body)),
        );
        const run = terraform(["fmt", "-check", "-diff"], { cwd: dir });
        assert.equal(run.status, 0, `seed ${seed}: not canonical:\n${run.stdout}${run.stderr}`);
      });
    });

    const seed = Date.now();
    const values: HclValue[] = [
      ...HOSTILE.map(([input]) => input),
      Object.fromEntries(HOSTILE.map(([input], i) => [input, i])),
      [HOSTILE.map(([input]) => input), { for: 1, "": [true, -0.5, 1e21] }],
      ...fc.sample(dataArbitrary(hostile), { numRuns: 40, seed }),
    ];
    // Terraform holds strings in NFC, and -0 as 0 (JSON has no -0)
    const expected = nfc(
      Object.fromEntries(values.map((v, i) => [`v${i}`, JSON.parse(JSON.stringify(v)) as unknown])),
    );

    it(`decodes hostile values (random ones from seed ${seed}) from .tf exactly`, () => {
      assert.deepStrictEqual(decodeOutputs("main.tf", printHcl(outputsOf(values))), expected);
    });
    it(`decodes hostile values (random ones from seed ${seed}) from .tf.json exactly`, () => {
      const text = printTerraformJson(outputsOf(values));
      assert.deepStrictEqual(decodeOutputs("main.tf.json", text), expected);
    });
  });
});
