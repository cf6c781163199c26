import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { DeployedFile } from "../lib/backends/audits";
import { compileDocument } from "../lib/compile";
import { uuidV5 } from "../lib/internal/names";
import type { Plan } from "../lib/plan/types";
import { cli } from "./support/cli";
import { cliExports } from "./support/exports";

const INTENT = join(__dirname, "..", "examples", "platform.yaml");
const DOCS = join(__dirname, "..", "docs", "cli.md");
const { plan } = compileDocument(parse(readFileSync(INTENT, "utf8")) as unknown);
const exported = cliExports(plan!);
const grantsOf = <C extends "aws" | "azure" | "gcp">(cloud: C, of: Plan = plan!) =>
  of.identities.flatMap((i) =>
    i.grants.flatMap((g) => (g.cloud === cloud ? [g as Extract<typeof g, { cloud: C }>] : [])),
  );
const aws = grantsOf("aws");

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

/** A role no identity plans that trusts the intent's GitHub provider (with aud and sub pinned). */
function shadowRole(arn: string, name: string): Record<string, unknown> {
  const host = "token.actions.githubusercontent.com";
  return {
    Path: "/",
    RoleName: name,
    Arn: arn,
    AssumeRolePolicyDocument: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: provider.OpenIDConnectProviderArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${host}:aud`]: "sts.amazonaws.com",
              [`${host}:sub`]: "repo:acme/old",
            },
          },
        },
      ],
    },
    RolePolicyList: [],
    AttachedManagedPolicies: [],
  };
}

/** api-deploy's role with AdministratorAccess attached instead of its policy. */
const widened = (roles: Record<string, unknown>[]) => {
  roles[0]!.AttachedManagedPolicies = [
    { PolicyName: "AdministratorAccess", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
  ];
};

/** A principal's object ID, made up per identity (the plan cannot know it). */
const principalOf = (name: string) => uuidV5(`principal ${name}`);

/**
 * The Azure CLI outputs of the deployed plan with role assignments: `cliExports`' credential
 * files, `az identity list` with a principal per identity (role assignments name principals),
 * and `az role assignment list --all -o json` of the grants' assignments plus `extra`.
 */
function azureWithAssignments(extra: { identity: string; role: string; guid: string }[] = []) {
  const grants = grantsOf("azure");
  const idOf = (a: (typeof grants)[number]["artefacts"]) =>
    `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${a.identityName}`;
  const assignment = (principalId: string, role: string, definition: string, scope: string) => {
    const name = uuidV5(`${principalId} ${definition} ${scope}`);
    return {
      condition: null,
      conditionVersion: null,
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: definition,
      roleDefinitionName: role,
      scope,
      type: "Microsoft.Authorization/roleAssignments",
    };
  };
  const subscription = `/subscriptions/${grants[0]!.artefacts.subscriptionId}`;
  return [
    ...exported.azure.filter((f) => f.source !== "identities.json"),
    {
      source: "identities.json",
      json: grants.map(({ artefacts: a }) => ({
        clientId: uuidV5(`client ${a.identityName}`),
        id: idOf(a),
        location: a.location,
        name: a.identityName,
        principalId: principalOf(a.identityName),
        resourceGroup: a.resourceGroup,
        tenantId: a.tenantId,
        type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      })),
    },
    {
      source: "assignments.json",
      json: [
        ...grants.flatMap(({ artefacts: a }) =>
          a.roleAssignments.map((r) =>
            assignment(principalOf(a.identityName), r.role, r.roleDefinitionId, r.scope),
          ),
        ),
        ...extra.map((e) =>
          assignment(
            principalOf(e.identity),
            e.role,
            `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${e.guid}`,
            subscription,
          ),
        ),
      ],
    },
  ];
}

/**
 * `gcloud asset search-all-iam-policies --scope=projects/acme-prod --format=json` once the plan
 * is deployed: the project's bindings (with an owner trustplane does not plan) and each planned
 * service account's impersonation binding.
 */
function gcpPolicies(): DeployedFile {
  const grants = grantsOf("gcp");
  const roles = new Map<string, string[]>([["roles/owner", ["user:admin@acme.example"]]]);
  for (const b of grants.flatMap((g) => g.artefacts.projectBindings))
    roles.set(b.role, [...(roles.get(b.role) ?? []), b.member]);
  const result = (resource: string, bindings: { role: string; members: string[] }[]) => ({
    resource,
    project: "projects/123456789012",
    policy: { bindings },
  });
  return {
    source: "policies.json",
    json: [
      result(
        "//cloudresourcemanager.googleapis.com/projects/acme-prod",
        [...roles].map(([role, members]) => ({ role, members })),
      ),
      ...grants.flatMap(({ artefacts: a }) =>
        a.serviceAccountEmail
          ? [
              result(
                `//iam.googleapis.com/projects/acme-prod/serviceAccounts/${a.serviceAccountEmail}`,
                [{ role: "roles/iam.workloadIdentityUser", members: [...a.principals] }],
              ),
            ]
          : [],
      ),
    ],
  };
}

/** The code spans of a Markdown line taken out (CommonMark: a run of backticks to the same run). */
function outsideCode(line: string): string {
  let rest = line;
  let out = "";
  for (;;) {
    const open = /(?<!\\)`+/.exec(rest);
    if (!open) return out + rest;
    const after = rest.slice(open.index + open[0].length);
    const close = new RegExp(`(?<!\`)${open[0]}(?!\`)`).exec(after);
    assert.ok(close, `an unclosed code span in ${JSON.stringify(line)}`);
    out += rest.slice(0, open.index);
    rest = after.slice(close.index + open[0].length);
  }
}

/**
 * `trustplane audit` end to end on the clouds' CLI outputs made from the compiled platform
 * example (issue 13): exit codes; the human output grouped by identity and cloud, with what was
 * not compared and not audited; the Markdown report (exactly, for a small case) and its escaping
 * of hostile names and claim values; the JSON's keys; usage errors. Does NOT prove how a
 * Markdown renderer shows the report: the escaping is checked on the text, by CommonMark's rules.
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
  /** `--cloud PATH` for each file, written under the dir with the cloud's prefix. */
  const options = (cloud: string, files: readonly DeployedFile[]) =>
    files.flatMap((f) => [`--${cloud}`, file(`${cloud}-${f.source}`, f.json)]);
  const awsFiles = (change?: (roles: Record<string, unknown>[]) => void) => [
    "--aws",
    file("d.json", details(change)),
    "--aws",
    file("p.json", provider),
  ];

  it("exits 0 with no findings on a faithful deployment, and says what it did not audit", async () => {
    const run = await cli("audit", INTENT, ...awsFiles());
    assert.equal(run.code, 0, run.err);
    assert.equal(
      run.out,
      "no findings: what is deployed in aws is exactly the intent's trust\nnot audited: azure (no --azure files), gcp (no --gcp files)",
    );
  });

  it("prints the findings grouped by identity, then cloud, then those not in the intent", async () => {
    const shadow = "arn:aws:iam::111111111111:role/legacy-deploy";
    const paths = awsFiles((roles) => {
      widened(roles);
      roles.push(shadowRole(shadow, "legacy-deploy"));
    });
    const run = await cli("audit", INTENT, ...paths);
    assert.equal(run.code, 1, run.err);
    assert.equal(
      run.out,
      [
        "api-deploy",
        "  aws",
        "    permissions  arn:aws:iam::111111111111:role/api-deploy → aws-prod",
        "      managed policies the grant does not attach: arn:aws:iam::aws:policy/AdministratorAccess",
        "    permissions  arn:aws:iam::111111111111:role/api-deploy → aws-prod",
        "      managed policies of the grant not attached: arn:aws:iam::aws:policy/ReadOnlyAccess",
        "",
        "not in the intent",
        "  aws",
        `    unmanaged    ${shadow}`,
        `      role ${shadow} trusts ${provider.OpenIDConnectProviderArn}, an issuer of the intent, but no identity of the intent plans it: remove it, or import it into the intent`,
        "",
        "3 findings in aws: 2 permissions, 1 unmanaged",
        "not audited: azure (no --azure files), gcp (no --gcp files)",
      ].join("\n"),
    );
  });

  it("prints JSON with ok, audited, findings and what was not compared", async () => {
    const run = await cli("audit", INTENT, ...awsFiles(widened), "--json");
    assert.equal(run.code, 1);
    const body = JSON.parse(run.out) as Record<string, unknown> & { findings: { kind: string }[] };
    assert.deepEqual(Object.keys(body), ["ok", "audited", "findings", "notCompared"]);
    assert.equal(body.ok, false);
    assert.deepEqual(body.audited, ["aws"]);
    assert.deepEqual(
      body.findings.map((f) => f.kind),
      ["permissions", "permissions"],
    );
    assert.deepEqual(body.notCompared, []);
    const documented = /- `audit --json`: `([^`]*)`/.exec(readFileSync(DOCS, "utf8"))![1]!;
    for (const key of Object.keys(body)) assert.ok(documented.includes(`"${key}"`), key);
  });

  it("says which permissions it did not compare: AWS roles read only from get-role", async () => {
    const roles = aws.map(({ artefacts: a }) => ({
      source: `${a.roleName}.json`,
      json: {
        Role: {
          Path: a.rolePath,
          RoleName: a.roleName,
          Arn: a.roleArn,
          AssumeRolePolicyDocument: a.trustPolicy,
        },
      },
    }));
    const paths = [...options("aws", roles), "--aws", file("p.json", provider)];
    const run = await cli("audit", INTENT, ...paths);
    assert.equal(run.code, 0, run.err);
    const why =
      "  read from get-role only, which lists none: pass get-account-authorization-details";
    assert.equal(
      run.out,
      [
        "no findings in aws, but not all was compared:",
        ...aws.flatMap(({ artefacts: a }) => [
          `not compared in aws: managed and inline policies of role ${a.roleArn}`,
          why,
        ]),
        "not audited: azure (no --azure files), gcp (no --gcp files)",
      ].join("\n"),
    );
    const json = JSON.parse((await cli("audit", INTENT, ...paths, "--json")).out) as {
      notCompared: unknown[];
    };
    assert.deepEqual(
      json.notCompared,
      aws.map(({ artefacts: a }) => ({
        cloud: "aws",
        what: `managed and inline policies of role ${a.roleArn}`,
        why: why.trim(),
      })),
    );
  });

  it("says a cloud is not audited when neither its files nor the stack exports hold it", async () => {
    const empty = file("stack.json", { version: 3, deployment: { resources: [] } });
    const run = await cli("audit", INTENT, ...awsFiles(), "--pulumi-state", empty);
    assert.equal(run.code, 0, run.err);
    assert.equal(
      run.out.split("\n").pop(),
      "not audited: azure (no --azure files, and no azure resources in the --pulumi-state exports), gcp (no --gcp files, and no gcp resources in the --pulumi-state exports)",
    );
    const nothing = await cli("audit", INTENT, "--pulumi-state", empty);
    assert.equal(nothing.code, 2);
    assert.equal(nothing.out, "");
    assert.match(
      nothing.err,
      /^trustplane: the --pulumi-state exports hold no resources of aws, azure, gcp: nothing to audit/,
    );
  });

  describe("--markdown", () => {
    it("writes a report: files read, outcome, table, identities, findings, not audited", async () => {
      const shadow = "arn:aws:iam::111111111111:role/legacy-deploy";
      const paths = awsFiles((roles) => {
        widened(roles);
        roles.push(shadowRole(shadow, "legacy-deploy"));
      });
      const run = await cli("audit", INTENT, ...paths, "--markdown");
      assert.equal(run.code, 1, run.err);
      const role = "`arn:aws:iam::111111111111:role/api-deploy` (target `aws-prod`)";
      assert.equal(
        run.out,
        [
          `# trustplane audit: \`${INTENT}\``,
          "",
          `The intent \`${INTENT}\` against the deployed state read from:`,
          "",
          `- \`--aws\`: \`${dir}/d.json\`, \`${dir}/p.json\``,
          "",
          "**3 findings** in aws.",
          "",
          "| cloud | over-grant | under-grant | missing | permissions | unmanaged | risky | total |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
          "| aws | 0 | 0 | 0 | 2 | 1 | 0 | 3 |",
          "",
          "## api-deploy",
          "",
          "- aws: 2 findings",
          "- azure: not audited",
          "- gcp: not audited",
          "",
          "### aws",
          "",
          `- **permissions** ${role}: managed policies the grant does not attach: arn:aws:iam::aws:policy/AdministratorAccess`,
          `- **permissions** ${role}: managed policies of the grant not attached: arn:aws:iam::aws:policy/ReadOnlyAccess`,
          "",
          "## api-release",
          "",
          "- aws: no findings",
          "- gcp: not audited",
          "",
          "## web-deploy",
          "",
          "- aws: no findings",
          "- azure: not audited",
          "- gcp: not audited",
          "",
          "## Not in the intent",
          "",
          "### aws",
          "",
          `- **unmanaged** \`${shadow}\`: role ${shadow} trusts ${provider.OpenIDConnectProviderArn}, an issuer of the intent, but no identity of the intent plans it: remove it, or import it into the intent`,
          "",
          "## Not audited",
          "",
          "- azure: no --azure files",
          "- gcp: no --gcp files",
        ].join("\n"),
      );
    });

    it("escapes hostile names and claim values: no HTML, no new line, cell or code span", async () => {
      const hostile = "prod|`uction`<img src=x onerror=alert(1)>\n## owned";
      const evil = `arn:aws:iam::111111111111:role/evil|\`\`x\`<script>alert(1)</script>\n# owned *em* [a](b) @team $x$`;
      const paths = awsFiles((roles) => {
        const trust = JSON.stringify(roles[0]!.AssumeRolePolicyDocument);
        const production = JSON.stringify("repo:acme/api:environment:production");
        roles[0]!.AssumeRolePolicyDocument = JSON.parse(
          trust.replace(production, JSON.stringify(`repo:acme/api:environment:${hostile}`)),
        ) as unknown;
        roles.push(shadowRole(evil, "evil"));
      });
      const run = await cli("audit", INTENT, ...paths, "--markdown");
      assert.equal(run.code, 1, run.err);
      const lines = run.out.split("\n");
      assert.deepEqual(
        lines.filter((l) => l.startsWith("#")),
        [
          `# trustplane audit: \`${INTENT}\``,
          "## api-deploy",
          "### aws",
          "## api-release",
          "## web-deploy",
          "## Not in the intent",
          "### aws",
          "## Not audited",
        ],
      );
      const allowed = /^(|# |## |### |- | {2}- token: |\| |The intent |\*\*)/;
      for (const line of lines) {
        assert.match(line, allowed);
        // the report's own bold kinds and counts aside
        const text = outsideCode(line).replace(/\*\*[a-z0-9 -]+\*\*/g, "");
        assert.doesNotMatch(text, /[<>]/, line);
        if (!line.startsWith("| ")) assert.doesNotMatch(text, /(?<!\\)[|*_[\]@$]/, line);
      }
      const table = lines.filter((l) => l.startsWith("| "));
      assert.equal(table.length, 3);
      for (const row of table) assert.equal(row.split("|").length, 10, row);
      const shadowItem = lines.find((l) => l.startsWith("- **unmanaged**"))!;
      assert.ok(
        shadowItem.includes(
          "\\|\\`\\`x\\`&lt;script&gt;alert(1)&lt;/script&gt;␤\\# owned \\*em\\* \\[a\\](b) \\@team \\$x\\$ trusts",
        ),
        shadowItem,
      );
      assert.ok(
        shadowItem.startsWith(
          "- **unmanaged** ```arn:aws:iam::111111111111:role/evil|``x`<script>alert(1)</script>␤# owned *em* [a](b) @team $x$```: role ",
        ),
      );
      // the token's code span holds the JSON the --json output gives, intact but for line breaks
      const json = JSON.parse((await cli("audit", INTENT, ...paths, "--json")).out) as {
        findings: { kind: string; token?: unknown }[];
      };
      const over = json.findings.filter((f) => f.kind === "over-grant");
      assert.ok(over.length > 0);
      const tokens = lines
        .filter((l) => l.startsWith("  - token: "))
        .map((l) => l.slice("  - token: ".length));
      assert.equal(tokens.length, json.findings.filter((f) => f.token).length);
      const span = tokens[0]!;
      const fence = /^`+/.exec(span)![0];
      assert.ok(span.endsWith(fence) && fence.length > 1, span);
      assert.deepEqual(JSON.parse(span.slice(fence.length, -fence.length).trim()), over[0]!.token);
    });

    it("is a usage error with --json, and for other commands", async () => {
      const both = await cli("audit", INTENT, ...awsFiles(), "--markdown", "--json");
      assert.equal(both.code, 2);
      assert.match(both.err, /^trustplane: --markdown and --json are exclusive/);
      for (const argv of [
        ["check", INTENT, "--markdown"],
        ["import", "--aws", "x.json", "--out", "y.yaml", "--markdown"],
      ]) {
        const run = await cli(...argv);
        assert.equal(run.code, 2, argv.join(" "));
        assert.match(run.err, /^trustplane: --markdown belongs to audit/);
      }
    });
  });

  describe("Azure", () => {
    const owner = {
      identity: "api-deploy",
      role: "Owner",
      guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    };

    it("finds nothing in a faithful deployment with its role assignments", async () => {
      const run = await cli("audit", INTENT, ...options("azure", azureWithAssignments()));
      assert.equal(run.code, 0, run.err);
      assert.equal(
        run.out,
        "no findings: what is deployed in azure is exactly the intent's trust\nnot audited: aws (no --aws files), gcp (no --gcp files)",
      );
    });

    it("says permissions were not compared without role assignment files", async () => {
      const run = await cli("audit", INTENT, ...options("azure", exported.azure));
      assert.equal(run.code, 0, run.err);
      assert.equal(
        run.out,
        [
          "no findings in azure, but not all was compared:",
          "not compared in azure: permissions (role assignments of the intent's managed identities)",
          "  no role assignments read: pass az role assignment list --all and az identity list -o json",
          "not audited: aws (no --aws files), gcp (no --gcp files)",
        ].join("\n"),
      );
    });

    it("reports an extra role and a pull_request credential under their identity and not in the intent", async () => {
      const files = azureWithAssignments([owner]);
      const api = files.find((f) => f.source === "api-deploy.json")!;
      const [first] = api.json as Record<string, unknown>[];
      const pr = {
        ...first!,
        id: `${first!.id as string}-pr`,
        name: "pr",
        subject: "repo:acme/api:pull_request",
      };
      const widenedApi = { ...api, json: [...(api.json as unknown[]), pr] };
      const run = await cli(
        "audit",
        INTENT,
        ...options(
          "azure",
          files.map((f) => (f === api ? widenedApi : f)),
        ),
      );
      assert.equal(run.code, 1, run.err);
      const identity = `/subscriptions/${grantsOf("azure")[0]!.artefacts.subscriptionId}/resourcegroups/identities/providers/microsoft.managedidentity/userassignedidentities/api-deploy`;
      const assignment = `/subscriptions/00000000-0000-0000-0000-00000000000b/providers/Microsoft.Authorization/roleAssignments/${uuidV5(`${principalOf("api-deploy")} /subscriptions/00000000-0000-0000-0000-00000000000b/providers/Microsoft.Authorization/roleDefinitions/${owner.guid} /subscriptions/00000000-0000-0000-0000-00000000000b`)}`;
      assert.equal(
        run.out,
        [
          "api-deploy",
          "  azure",
          `    over-grant   ${identity} → azure-prod`,
          '      managed identity api-deploy accepts a token the intent refuses (sub "repo:acme/api:pull_request")',
          `    permissions  ${assignment} → azure-prod`,
          "      managed identity api-deploy: Owner on /subscriptions/00000000-0000-0000-0000-00000000000b is assigned, which the grant does not assign",
          "",
          "not in the intent",
          "  azure",
          `    risky        ${identity}/federatedidentitycredentials/pr`,
          '      federated credential pr trusts GitHub Actions (https://token.actions.githubusercontent.com) for pull_request events (subject "repo:acme/api:pull_request"): the subject names no branch, so the code of every pull request of the repository can use the identity before anyone reviews it',
          "",
          "3 findings in azure: 1 over-grant, 1 permissions, 1 risky",
          "not audited: aws (no --aws files), gcp (no --gcp files)",
        ].join("\n"),
      );
    });
  });

  describe("GCP", () => {
    it("finds nothing in a faithful deployment with its IAM policies", async () => {
      const run = await cli("audit", INTENT, ...options("gcp", [...exported.gcp, gcpPolicies()]));
      assert.equal(run.code, 0, run.err);
      assert.equal(
        run.out,
        "no findings: what is deployed in gcp is exactly the intent's trust\nnot audited: aws (no --aws files), azure (no --azure files)",
      );
    });

    it("says permissions were not compared without IAM policy files", async () => {
      const run = await cli("audit", INTENT, ...options("gcp", exported.gcp));
      assert.equal(run.code, 0, run.err);
      assert.equal(
        run.out,
        [
          "no findings in gcp, but not all was compared:",
          "not compared in gcp: permissions (IAM bindings on the grants' projects and service accounts)",
          "  no IAM policies read: pass gcloud asset search-all-iam-policies, or get-iam-policy wrapped as {resource, policy}",
          "not audited: aws (no --aws files), azure (no --azure files)",
        ].join("\n"),
      );
    });

    it("reports a loosened condition as over-grants of its identity, with their tokens", async () => {
      const [providers] = exported.gcp;
      const loosened = (providers!.json as Record<string, unknown>[]).map((p, i) =>
        i === 0
          ? {
              ...p,
              attributeCondition: (p.attributeCondition as string).replace(
                "assertion.repository == 'acme/api'",
                "assertion.repository.startsWith('acme/')",
              ),
            }
          : p,
      );
      const files = [{ ...providers!, json: loosened }, gcpPolicies()];
      const run = await cli("audit", INTENT, ...options("gcp", files));
      assert.equal(run.code, 1, run.err);
      const provider = grantsOf("gcp")[0]!.artefacts.providerName;
      assert.deepEqual(
        run.out.split("\n").filter((l) => !l.startsWith("      ")),
        [
          "api-deploy",
          "  gcp",
          `    over-grant   ${provider} → gcp-prod`,
          `    over-grant   ${provider} → gcp-prod`,
          `    over-grant   ${provider} → gcp-prod`,
          "",
          "3 findings in gcp: 3 over-grant",
          "not audited: aws (no --aws files), azure (no --azure files)",
        ],
      );
      const json = JSON.parse(
        (await cli("audit", INTENT, ...options("gcp", files), "--json")).out,
      ) as {
        findings: { message: string; token: Record<string, unknown> }[];
      };
      for (const f of json.findings) assert.ok(f.message.includes(JSON.stringify(f.token.sub)));
      const md = await cli("audit", INTENT, ...options("gcp", files), "--markdown");
      assert.deepEqual(
        md.out
          .split("\n")
          .filter((l) => l.startsWith("  - token: "))
          .map((l) => JSON.parse(l.slice("  - token: `".length, -1)) as unknown),
        json.findings.map((f) => f.token),
      );
    });
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
