import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseYaml } from "yaml";
import { analyse } from "../../lib/compile";
import { explain } from "../../lib/inspect/explain";
import { buildHandoffs } from "../support/handoffs";
import type { HclBody } from "../../lib/render/hcl";
import { printHcl, printTerraformJson } from "../../lib/render/hcl";
import type { IdentityHandoff } from "../../lib/render/model";
import { StackValues } from "../../lib/render/outputs";
import { render } from "../../lib/render/render";
import { backendBody } from "../../lib/render/terraform/backend";
import type { WorkspaceVariable } from "../../lib/render/terraform/hcp-terraform";
import {
  workspaceHandoffs,
  workspaceVariablesBody,
} from "../../lib/render/terraform/hcp-terraform";
import { providersBody } from "../../lib/render/terraform/providers";
import { golden } from "../support/golden";
import type { Parse } from "../support/terraform";
import { asHcl2json, hcl2json, inTempDir, requireTerraform, terraform } from "../support/terraform";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const GOLDEN = join(__dirname, "..", "golden", "handoff");
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));
const load = (file: string): Record<string, unknown> =>
  parseYaml(readFileSync(join(EXAMPLES, file), "utf8")) as Record<string, unknown>;

function handoffs(document: unknown): readonly IdentityHandoff[] {
  const built = buildHandoffs(document);
  assert.ok(built.handoffs, JSON.stringify(built.issues));
  return built.handoffs;
}

/** Every Terraform body of a document's hand-offs, by file. */
function bodies(document: unknown): [string, HclBody][] {
  const all = handoffs(document);
  return [
    ...all.flatMap((h): [string, HclBody][] => [
      ...(h.backend ? [[`${h.name}/backend`, backendBody(h, h.backend)] as [string, HclBody]] : []),
      [`${h.name}/providers`, providersBody(h)],
    ]),
    ...workspaceHandoffs(all, []).map((w): [string, HclBody] => [
      `${w.directory}/variables`,
      workspaceVariablesBody(w),
    ]),
  ];
}

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(dir, join(e.parentPath, e.name)))
        .sort()
    : [];

/**
 * The Terraform side of the hand-off: exact files for every example, the `.tf` and `.tf.json`
 * saying the same (through hcl2json), `terraform fmt`-clean text, and terraform's own backends
 * and Google's external-account reader accepting what is written (up to the network, which is
 * absent here). Does NOT prove that a cloud accepts the exchange, nor the provider blocks'
 * arguments (no provider schema can be downloaded here).
 */
describe("render: Terraform files", () => {
  for (const file of examples) {
    const name = file.replace(/\.yaml$/, "");
    it(`writes ${name}'s hand-off files exactly`, () => {
      const { files, issues } = render(load(file));
      assert.ok(files, JSON.stringify(issues));
      for (const f of files) golden(`handoff/${name}/${f.path}`, f.text);
      // a file the renderer stopped writing must not linger as a golden
      if (!process.env.UPDATE_GOLDEN) {
        assert.deepEqual(filesUnder(join(GOLDEN, name)), files.map((f) => f.path).sort());
      }
    });

    it(`writes ${name}'s Terraform files in one format only: .tf, or .tf.json with format json`, () => {
      const hcl = render(load(file)).files!.map((f) => f.path);
      const json = render(load(file), undefined, "json").files!.map((f) => f.path);
      assert.ok(hcl.length === 0 || hcl.some((p) => p.endsWith(".tf")), "no handoff, or .tf files");
      assert.deepEqual(
        hcl.filter((p) => p.endsWith(".tf.json")),
        [],
      );
      assert.deepEqual(
        json.filter((p) => p.endsWith(".tf")),
        [],
      );
      assert.deepEqual(
        json,
        hcl.map((p) => (p.endsWith(".tf") ? `${p}.json` : p)),
      );
    });
  }

  describe("round trip through hcl2json", () => {
    let parse: Parse;
    before(function () {
      this.timeout(30_000);
      parse = hcl2json();
    });
    for (const file of examples) {
      it(`reads ${file}'s .tf files as their .tf.json says`, async () => {
        for (const [name, body] of bodies(load(file))) {
          const json = JSON.parse(printTerraformJson(body)) as Record<string, unknown>;
          assert.deepEqual(await parse(`${name}.tf`, printHcl(body)), asHcl2json(body, json), name);
        }
      });
    }
  });

  describe("with terraform", () => {
    before(requireTerraform("fmt and the backend probes"));

    it("finds every .tf file canonical (terraform fmt -check)", () => {
      for (const file of examples) {
        for (const f of render(load(file)).files!.filter((f) => f.path.endsWith(".tf"))) {
          const run = terraform(["fmt", "-check", "-"], { input: f.text });
          assert.equal(run.status, 0, `${f.path}: ${run.stderr}`);
        }
      }
    });

    /** `terraform init` on a hand-off's backend.tf alone; its stderr. */
    function init(document: unknown, identity: string, env: Record<string, string> = {}): string {
      return inTempDir("trustplane-init-", (dir) => {
        const backend = render(document).files!.find((f) => f.path === `${identity}/backend.tf`)!;
        writeFileSync(join(dir, "backend.tf"), backend.text);
        const run = terraform(["init", "-input=false", "-no-color"], { cwd: dir, env });
        assert.equal(run.status, 1, "no network here: init fails, and only at the network");
        return run.stderr.replace(/\s+/g, " ");
      });
    }

    /** The EKS example (ci: none) with tokens in a temp folder and this backend. */
    function tokenFileDocument(tokens: string, backend: object): unknown {
      const doc = load("eks-service-account.yaml") as { identities: { handoff: object }[] };
      doc.identities[0]!.handoff = {
        ci: "none",
        awsRegion: "eu-west-1",
        tokenDirectory: tokens,
        backend,
      };
      for (const target of ["aws-prod", "azure-prod", "gcp-prod"]) {
        writeFileSync(join(tokens, `${target}.jwt`), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
      }
      return doc;
    }

    it("s3: terraform reads the backend and assumes the role with the token file", () => {
      inTempDir("trustplane-tokens-", (tokens) => {
        const doc = tokenFileDocument(tokens, {
          target: "aws-prod",
          bucket: "acme-tfstate",
          key: "k",
        });
        const stderr = init(doc, "payments-api", { AWS_EC2_METADATA_DISABLED: "true" });
        assert.match(stderr, /AssumeRoleWithWebIdentity/);
        assert.match(stderr, /sts\.eu-west-1\.amazonaws\.com/);
        assert.doesNotMatch(stderr, /Unsupported argument|Invalid|Missing required/);
      });
    });

    it("gcs: Google's client reads the credential config, the token file and impersonates", function () {
      this.timeout(30_000);
      inTempDir("trustplane-tokens-", (tokens) => {
        const doc = tokenFileDocument(tokens, { target: "gcp-prod", bucket: "acme-tfstate" });
        const config = render(doc).files!.find(
          (f) => f.path === "payments-api/gcp-prod-credentials.json",
        )!;
        const path = join(tokens, "credentials.json");
        writeFileSync(path, config.text);
        const stderr = init(doc, "payments-api", { GOOGLE_APPLICATION_CREDENTIALS: path });
        // the exchange got as far as Google's STS, for the service account's token
        assert.match(
          stderr,
          /payments-api@acme-prod\.iam\.gserviceaccount\.com:generateAccessToken/,
        );
        assert.match(
          stderr,
          /Secure Token Server: Post "https:\/\/sts\.googleapis\.com\/v1\/token"/,
        );
      });
    });

    it("azurerm: terraform reads the backend and asks Entra ID for a token (15 s of retries)", function () {
      this.timeout(60_000);
      inTempDir("trustplane-tokens-", (tokens) => {
        const doc = tokenFileDocument(tokens, {
          target: "azure-prod",
          storageAccount: "acmestate",
          container: "tfstate",
          key: "k",
        });
        const stderr = init(doc, "payments-api");
        assert.match(
          stderr,
          /login\.microsoftonline\.com\/00000000-0000-0000-0000-00000000000a\/oauth2/,
        );
        assert.doesNotMatch(stderr, /Unsupported argument|Invalid|Missing required/);
      });
    });
  });

  describe("HCP Terraform variables", () => {
    const doc = load("terraform-cloud.yaml");
    const DIR = "hcp-terraform/acme/network-prod";
    const variables = (): Record<string, string> => {
      const text = render(doc).files!.find((f) => f.path === `${DIR}/variables.json`)!.text;
      return Object.fromEntries(
        (JSON.parse(text) as WorkspaceVariable[]).map((v) => [v.key, v.value]),
      );
    };

    it("gives the workspace's plan runs the plan identity and its apply runs the apply identity", () => {
      assert.deepEqual(Object.keys(variables()).sort(), [
        "TFC_AWS_APPLY_ROLE_ARN",
        "TFC_AWS_PLAN_ROLE_ARN",
        "TFC_AWS_PROVIDER_AUTH",
        "TFC_AZURE_APPLY_CLIENT_ID",
        "TFC_AZURE_PLAN_CLIENT_ID",
        "TFC_AZURE_PROVIDER_AUTH",
        "TFC_GCP_PROVIDER_AUTH",
        "TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL",
        "TFC_GCP_WORKLOAD_PROVIDER_NAME",
      ]);
    });

    it("writes the same bytes whatever the order of the identities (issue 10, item 13)", () => {
      const files = (doc: unknown) =>
        Object.fromEntries((render(doc).files ?? []).map((f) => [f.path, f.text]));
      for (const example of ["terraform-cloud", "platform", "gitlab", "eks-service-account"]) {
        const doc = load(`${example}.yaml`) as { identities: unknown[] };
        const reversed = { ...doc, identities: [...doc.identities].reverse() };
        const rotated = { ...doc, identities: [...doc.identities.slice(1), doc.identities[0]] };
        const expected = files(doc);
        assert.ok(Object.keys(expected).length > 0, example);
        assert.deepStrictEqual(files(reversed), expected, `${example} reversed`);
        assert.deepStrictEqual(files(rotated), expected, `${example} rotated`);
      }
    });

    it("refuses two identities that would give one workspace variable two values", () => {
      const both = load("terraform-cloud.yaml") as {
        identities: { subjects: Record<string, unknown>[] }[];
      };
      for (const identity of both.identities.slice(0, 2)) {
        identity.subjects[0]!.terraform_run_phase = { oneOf: ["plan", "apply"] };
      }
      const { files, issues } = render(both);
      assert.equal(files, undefined);
      assert.deepEqual(
        issues.filter((i) => i.severity === "error").map((i) => [i.path.join("."), i.message]),
        [
          [
            "identities.0.handoff",
            "network-plan and network-apply both set TFC_AWS_RUN_ROLE_ARN on the workspace acme/network-prod, to different values; pin terraform_run_phase (plan or apply) in their selectors",
          ],
          [
            "identities.0.handoff",
            "network-plan and network-apply both set TFC_AZURE_RUN_CLIENT_ID on the workspace acme/network-prod, to different values; pin terraform_run_phase (plan or apply) in their selectors",
          ],
        ],
      );
    });

    // for each run phase, the token HCP Terraform mints for the workspace the variables file
    // looks up, and the role, client ID and service account the variables give that phase: the
    // identity behind each must be allowed in its cloud with the audience HCP Terraform asks for
    it("lets every phase of the named workspace in through exactly the identities its variables name", () => {
      const stacks = new StackValues();
      const clients = {
        "network-plan": "11111111-0000-0000-0000-000000000001",
        "network-apply": "11111111-0000-0000-0000-000000000002",
      };
      stacks.add(
        {
          identities: Object.fromEntries(
            Object.entries(clients).map(([i, c]) => [i, { "azure-prod": { clientId: c } }]),
          ),
        },
        "outputs.json",
      );
      const files = render(doc, stacks, "json").files!;
      const text = (path: string) => files.find((f) => f.path === `${DIR}/${path}`)!.text;
      const tf = JSON.parse(text("variables.tf.json")) as {
        data: { tfe_workspace: Record<string, { name: string; organization: string }> };
      };
      const workspace = Object.values(tf.data.tfe_workspace)[0]!;
      const v = Object.fromEntries(
        (JSON.parse(text("variables.json")) as WorkspaceVariable[]).map((x) => [x.key, x.value]),
      );
      const plan = analyse(doc).plan!;
      const owner = (value: string) =>
        plan.identities.find(
          (i) =>
            JSON.stringify(i.grants).includes(JSON.stringify(value)) ||
            clients[i.name as keyof typeof clients] === value,
        )!.name;
      const token = (phase: string, aud: string) => ({
        iss: "https://app.terraform.io",
        aud,
        sub: `organization:${workspace.organization}:project:platform:workspace:${workspace.name}:run_phase:${phase}`,
        terraform_organization_name: workspace.organization,
        terraform_organization_id: "org-Abc123",
        // the project is the workspace's, which the variables do not name: the example's
        terraform_project_name: "platform",
        terraform_project_id: "prj-Def456",
        terraform_workspace_name: workspace.name,
        terraform_workspace_id: "ws-Ghi789",
        terraform_run_phase: phase,
      });
      for (const phase of ["plan", "apply"]) {
        const P = phase.toUpperCase();
        const pick = (cloud: string, what: string) =>
          v[`TFC_${cloud}_${P}_${what}`] ?? v[`TFC_${cloud}_RUN_${what}`]!;
        const chosen = {
          aws: [
            owner(pick("AWS", "ROLE_ARN")),
            v.TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE ?? "aws.workload.identity",
          ],
          azure: [
            owner(pick("AZURE", "CLIENT_ID")),
            v.TFC_AZURE_WORKLOAD_IDENTITY_AUDIENCE ?? "api://AzureADTokenExchange",
          ],
          gcp: [
            owner(pick("GCP", "SERVICE_ACCOUNT_EMAIL")),
            v.TFC_GCP_WORKLOAD_IDENTITY_AUDIENCE ??
              `//iam.googleapis.com/${v.TFC_GCP_WORKLOAD_PROVIDER_NAME}`,
          ],
        };
        for (const [cloud, [identity, aud]] of Object.entries(chosen)) {
          const decisions = explain(doc, token(phase, aud!)).explanation!.decisions;
          const mine = decisions.find((d) => d.identity === identity && d.cloud === cloud)!;
          assert.equal(mine.allowed, true, `${phase} ${cloud} ${identity}: ${mine.reason}`);
        }
        assert.deepEqual(
          [chosen.aws[0], chosen.azure[0], chosen.gcp[0]],
          [`network-${phase}`, `network-${phase}`, "network-gcp"],
        );
      }
      // and the other phase's identity refuses: plan runs cannot borrow the apply role
      const refused = explain(
        doc,
        token("plan", "aws.workload.identity"),
      ).explanation!.decisions.find((d) => d.identity === "network-apply" && d.cloud === "aws")!;
      assert.equal(refused.allowed, false);
    });
  });
});
