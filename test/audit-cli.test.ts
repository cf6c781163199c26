import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { compileDocument } from "../lib/compile";
import { cli } from "./support/cli";

const INTENT = join(__dirname, "..", "examples", "platform.yaml");
const { plan } = compileDocument(parse(readFileSync(INTENT, "utf8")) as unknown);
const aws = plan!.identities.flatMap((i) =>
  i.grants.flatMap((g) => (g.cloud === "aws" ? [g] : [])),
);

/** `aws iam get-account-authorization-details` of what `pulumi up` deployed, as the CLI prints it. */
function details(change: (roles: Record<string, unknown>[]) => void = () => {}): unknown {
  const roles = aws.map(({ artefacts: a }) => ({
    Path: a.rolePath,
    RoleName: a.roleName,
    RoleId: "AROA1234567890EXAMPLE",
    Arn: a.roleArn,
    CreateDate: "2026-12-01T00:00:00Z",
    AssumeRolePolicyDocument: structuredClone(a.trustPolicy),
    InstanceProfileList: [],
    RolePolicyList: Object.entries(a.inlinePolicies).map(([PolicyName, PolicyDocument]) => ({
      PolicyName,
      PolicyDocument,
    })),
    AttachedManagedPolicies: a.managedPolicyArns.map((PolicyArn) => ({
      PolicyName: PolicyArn.split("/").pop(),
      PolicyArn,
    })),
  }));
  change(roles);
  return { UserDetailList: [], GroupDetailList: [], RoleDetailList: roles, Policies: [] };
}

/** `aws iam get-open-id-connect-provider` with the ARN named, as trustplane reads it. */
const provider = {
  OpenIDConnectProviderArn: aws[0]!.artefacts.providerArn,
  Url: aws[0]!.artefacts.providerUrl.replace("https://", ""),
  ClientIDList: [...aws[0]!.artefacts.clientIds],
  ThumbprintList: [],
};

/**
 * `trustplane audit` end to end on AWS exports (issue 13, part 5): exit codes, what is printed,
 * files it cannot read. Does NOT cover --pulumi-state, --markdown, Azure role assignments or GCP
 * bindings, which are not built yet.
 */
describe("trustplane audit", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "trustplane-audit-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, json: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof json === "string" ? json : JSON.stringify(json));
    return path;
  };

  it("exits 0 with no findings on a faithful deployment, and says what it did not audit", async () => {
    const run = await cli(
      "audit",
      INTENT,
      "--aws",
      file("d.json", details()),
      "--aws",
      file("p.json", provider),
    );
    assert.equal(run.code, 0, run.err);
    assert.equal(
      run.out,
      "no findings: what is deployed in aws is exactly the intent's trust\nnot audited: azure (no --azure files), gcp (no --gcp files)",
    );
  });

  it("exits 1 with the findings, as JSON too", async () => {
    const widened = details((roles) => {
      roles[0]!.AttachedManagedPolicies = [
        {
          PolicyName: "AdministratorAccess",
          PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        },
      ];
    });
    const paths = ["--aws", file("d.json", widened), "--aws", file("p.json", provider)];
    const run = await cli("audit", INTENT, ...paths, "--json");
    assert.equal(run.code, 1);
    const body = JSON.parse(run.out) as {
      ok: boolean;
      audited: string[];
      findings: { kind: string }[];
    };
    assert.equal(body.ok, false);
    assert.deepEqual(body.audited, ["aws"]);
    assert.deepEqual(
      body.findings.map((f) => f.kind),
      ["permissions", "permissions"],
    );
    const human = await cli("audit", INTENT, ...paths);
    assert.match(
      human.out,
      /^permissions {2}aws {4}api-deploy → aws-prod\n {4}arn:aws:iam::111111111111:role\/api-deploy: managed policies the grant does not attach/,
    );
  });

  it("exits 2 naming a file it cannot read, and on usage errors", async () => {
    const notJson = await cli("audit", INTENT, "--aws", file("x.json", "{"));
    assert.equal(notJson.code, 2);
    assert.match(
      notJson.err,
      /^trustplane: cannot read .*x\.json: not JSON \(.*\); expected aws iam get-account-authorization-details/,
    );
    const other = await cli("audit", INTENT, "--gcp", file("y.json", { bindings: [] }));
    assert.equal(other.code, 2);
    assert.match(other.err, /y\.json is not an output trustplane reads for GCP/);
    assert.equal((await cli("audit", INTENT)).code, 2);
    const misplaced = await cli("check", INTENT, "--aws", "x.json");
    assert.equal(misplaced.code, 2);
    assert.match(misplaced.err, /^trustplane: --aws belongs to audit/);
  });
});
