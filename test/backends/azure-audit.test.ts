import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { auditAzure } from "../../lib/backends/azure/audit";
import type { AzureDeployment } from "../../lib/backends/azure/deployed";
import { azureFileKind, identityId, readAzureFiles } from "../../lib/backends/azure/deployed";
import { compileDocument } from "../../lib/compile";
import { intentAccepts } from "../../lib/inspect/token-claims";
import { uuidV5 } from "../../lib/internal/names";
import type { Plan } from "../../lib/plan/types";
import { grantsIn, oneIdentity } from "../support/documents";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const compiled = (file: string) =>
  compileDocument(parse(readFileSync(join(EXAMPLES, file), "utf8")) as unknown);
const { plan, ir } = compiled("platform.yaml");

type File = { source: string; json: unknown };

/** A principal's object ID, made up per identity (the plan cannot know it). */
const principalOf = (name: string) => uuidV5(`principal ${name}`);

function azureGrants(of: Plan) {
  return of.identities.flatMap((i) => i.grants.flatMap((g) => (g.cloud === "azure" ? [g] : [])));
}

/**
 * What the Azure CLI prints for every identity of the plan once deployed:
 * - `az identity federated-credential list -o json`, one file per identity
 *   (https://learn.microsoft.com/cli/azure/identity/federated-credential: items with audiences,
 *   id, issuer, name, resourceGroup, subject, type);
 * - `az identity list -o json`, one file
 *   (https://learn.microsoft.com/cli/azure/identity#az-identity-list: clientId, id, location,
 *   name, principalId, resourceGroup, tags, tenantId, type);
 * - `az role assignment list --all -o json`, one file, with an assignment of someone else
 *   (https://learn.microsoft.com/cli/azure/role/assignment#az-role-assignment-list and
 *   https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-cli:
 *   condition, conditionVersion, id, name, principalId, principalName, principalType,
 *   roleDefinitionId, roleDefinitionName, scope, type).
 */
function exportsOf(of: Plan): File[] {
  const grants = azureGrants(of);
  if (grants.length === 0) return [];
  const base = (a: (typeof grants)[number]["artefacts"]) =>
    `/subscriptions/${a.subscriptionId}/resourcegroups/${a.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${a.identityName}`;
  const credentials = grants.map(({ artefacts: a }) => ({
    source: `${a.identityName}.json`,
    json: a.credentials.map((c) => ({
      audiences: [c.audience],
      id: `${base(a)}/federatedIdentityCredentials/${c.name}`,
      issuer: c.issuer,
      name: c.name,
      resourceGroup: a.resourceGroup,
      subject: c.subject,
      type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    })),
  }));
  const identities = grants.map(({ artefacts: a }) => ({
    clientId: uuidV5(`client ${a.identityName}`),
    id: base(a),
    location: a.location,
    name: a.identityName,
    principalId: principalOf(a.identityName),
    resourceGroup: a.resourceGroup,
    tags: {},
    tenantId: a.tenantId,
    type: "Microsoft.ManagedIdentity/userAssignedIdentities",
  }));
  const assignments = grants.flatMap(({ artefacts: a }) =>
    a.roleAssignments.map((r) => assignment(principalOf(a.identityName), r)),
  );
  const someone = assignment("11111111-2222-4333-8444-555555555555", {
    name: uuidV5("someone"),
    role: "Owner",
    roleDefinitionId:
      "/subscriptions/00000000-0000-0000-0000-00000000000b/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    scope: "/subscriptions/00000000-0000-0000-0000-00000000000b",
  });
  return [
    ...credentials,
    { source: "identities.json", json: identities },
    { source: "assignments.json", json: [...assignments, { ...someone, principalType: "User" }] },
  ];
}

/** One item of `az role assignment list` (the CLI prints the built-in role's name). */
function assignment(
  principalId: string,
  r: { name: string; role: string; roleDefinitionId: string; scope: string },
  condition: string | null = null,
) {
  return {
    condition,
    conditionVersion: condition ? "2.0" : null,
    id: `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${r.name}`,
    name: r.name,
    principalId,
    principalName: uuidV5(`client ${principalId}`),
    principalType: "ServicePrincipal",
    roleDefinitionId: r.roleDefinitionId,
    roleDefinitionName: r.role,
    scope: r.scope,
    type: "Microsoft.Authorization/roleAssignments",
  };
}

function read(files: File[]): AzureDeployment {
  const r = readAzureFiles(files);
  assert.ok("deployment" in r, JSON.stringify(r));
  return r.deployment;
}

const apiGrant = azureGrants(plan!).find((g) => g.artefacts.identityName === "api-deploy")!;
const API = apiGrant.artefacts;
const API_ID = identityId(API.subscriptionId, API.resourceGroup, API.identityName);
const API_PRINCIPAL = principalOf("api-deploy");
const kinds = (d: AzureDeployment) => auditAzure(ir!, plan!, d).map((f) => f.kind);

/**
 * `audit` on Azure (issue 13): federated credentials, role assignments tied to identities by
 * the identity list, and credentials for GitHub pull requests. Proves a faithful export of every
 * example has no finding; that an extra, a changed, a missing and a flexible credential, an extra
 * role or scope, a missing or conditional planned assignment, an identity missing from the
 * identity files and a pull request credential each give their finding; that files of no known
 * kind and role assignments without identities are refused. Does NOT prove that the CLI prints
 * exactly these fields in every version (the fixtures follow Microsoft's documented output).
 */
describe("audit: Azure against the intent", () => {
  it("reads each CLI output by its content, and refuses other files by name", () => {
    const files = exportsOf(plan!);
    assert.deepEqual(
      files.map((f) => azureFileKind(f.json)),
      ["credentials", "credentials", "identities", "role-assignments"],
    );
    const identity = (files[2]!.json as unknown[])[0];
    assert.equal(azureFileKind(identity), "identities", "az identity show prints one object");
    const d = read(files);
    assert.deepEqual(
      d.credentials.map((c) => [c.name, c.subject]),
      azureGrants(plan!).flatMap((g) => g.artefacts.credentials.map((c) => [c.name, c.subject])),
    );
    assert.deepEqual(
      d.identities.map((i) => [i.id, i.principalId]),
      [
        [API_ID, API_PRINCIPAL],
        [
          identityId(API.subscriptionId, API.resourceGroup, "web-deploy"),
          principalOf("web-deploy"),
        ],
      ],
    );
    assert.equal(d.roleAssignments!.length, 3);
    assert.deepEqual(readAzureFiles([{ source: "x.json", json: { value: [] } }]), {
      problems: [
        "x.json is not an output trustplane reads for Azure: expected az identity federated-credential list, az role assignment list --all, or az identity list or show -o json (a list whose items' id names a credential, a role assignment or an identity)",
      ],
    });
  });

  it("refuses role assignments without an identity file, and items missing what they need", () => {
    const files = exportsOf(plan!);
    const assignments = files.find((f) => f.source === "assignments.json")!;
    const identities = files.find((f) => f.source === "identities.json")!;
    assert.deepEqual(readAzureFiles([files[0]!, assignments]), {
      problems: [
        "assignments.json: role assignments name their principals by object ID only; also pass az identity list -o json (or az identity show) of the intent's identities, so trustplane can tell whose they are",
      ],
    });
    const broken = (assignments.json as Record<string, unknown>[]).map((r, i) =>
      i === 0 ? { ...r, principalId: null } : r,
    );
    const r = readAzureFiles([{ source: "a.json", json: broken }, identities]);
    assert.ok("problems" in r);
    assert.match(
      r.problems[0]!,
      /^a\.json\[0\] \(.*\) has no principalId, roleDefinitionId or scope$/,
    );
  });

  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"))) {
    it(`finds nothing in a deployment of ${file}'s compiled plan`, () => {
      const c = compiled(file);
      assert.deepEqual(auditAzure(c.ir!, c.plan!, read(exportsOf(c.plan!))), []);
    });
  }

  it("reports an extra credential as an over-grant with a token the intent refuses", () => {
    const d = read(exportsOf(plan!));
    const first = d.credentials.find((c) => c.identityId === API_ID)!;
    const extra = { ...first, name: "extra", subject: "repo:acme/api:ref:refs/heads/dev" };
    const found = auditAzure(ir!, plan!, { ...d, credentials: [...d.credentials, extra] });
    assert.ok(found.length > 0);
    const identity = ir!.identities.find((i) => i.name === "api-deploy")!;
    for (const f of found) {
      assert.equal(f.kind, "over-grant");
      assert.equal(intentAccepts(identity, f.token!), false);
    }
    assert.match(found[0]!.message, /repo:acme\/api:ref:refs\/heads\/dev/);
  });

  it("reports a missing credential as an under-grant, and an identity without any as missing", () => {
    const d = read(exportsOf(plan!));
    const firstApi = d.credentials.findIndex((c) => c.identityId === API_ID);
    const fewer = d.credentials.filter((_, i) => i !== firstApi);
    assert.ok(
      auditAzure(ir!, plan!, { ...d, credentials: fewer }).some((f) => f.kind === "under-grant"),
    );
    const none = d.credentials.filter((c) => c.identityId !== API_ID);
    assert.deepEqual(
      auditAzure(ir!, plan!, { ...d, credentials: none }).map((f) => `${f.kind} ${f.resource}`),
      [`missing ${API_ID}`],
    );
  });

  it("reports a credential on an identity the intent does not plan as unmanaged", () => {
    const d = read(exportsOf(plan!));
    const shadow = { ...d.credentials[0]!, identityId: `${API_ID}-old`, name: "old" };
    assert.deepEqual(kinds({ ...d, credentials: [...d.credentials, shadow] }), ["unmanaged"]);
  });

  it("reports a flexible credential as risky and decides nothing by guess", () => {
    const d = read(exportsOf(plan!));
    const first = d.credentials.find((c) => c.identityId === API_ID)!;
    const flexible = {
      ...first,
      name: "flexible",
      subject: "",
      expression: "claims['sub'] matches 'repo:acme/*'",
    };
    assert.deepEqual(kinds({ ...d, credentials: [...d.credentials, flexible] }), ["risky"]);
  });

  it("reports a credential for GitHub pull_request events as risky whatever the intent says", () => {
    const d = read(exportsOf(plan!));
    const first = d.credentials.find((c) => c.identityId === API_ID)!;
    const pr = { ...first, name: "pr", subject: "repo:acme/api:pull_request" };
    const found = auditAzure(ir!, plan!, { ...d, credentials: [...d.credentials, pr] });
    const risky = found.filter((f) => f.kind === "risky");
    assert.deepEqual(
      risky.map((f) => [f.resource, f.message]),
      [
        [
          `${API_ID}/federatedidentitycredentials/pr`,
          'federated credential pr trusts GitHub Actions (https://token.actions.githubusercontent.com) for pull_request events (subject "repo:acme/api:pull_request"): the subject names no branch, so the code of every pull request of the repository can use the identity before anyone reviews it',
        ],
      ],
    );
    // the intent refuses it too: an over-grant besides
    assert.ok(found.some((f) => f.kind === "over-grant"));
    // an intent that plans pull requests gets the same finding on its faithful deployment
    const prIntent = oneIdentity(
      { kind: "github" },
      [{ repository: "acme/api", event_name: "pull_request", environment: { absent: true } }],
      grantsIn("azure"),
    );
    const c = compileDocument(prIntent);
    assert.ok(c.plan, JSON.stringify(c.issues));
    assert.deepEqual(
      auditAzure(c.ir!, c.plan, read(exportsOf(c.plan))).map((f) => f.kind),
      ["risky"],
    );
    // an environment named pull_request is not the pull request context
    const env = { ...first, name: "env", subject: "repo:acme/api:environment:pull_request" };
    assert.ok(
      !auditAzure(ir!, plan!, { ...d, credentials: [...d.credentials, env] }).some(
        (f) => f.kind === "risky",
      ),
    );
  });

  describe("role assignments", () => {
    const files = exportsOf(plan!);
    const [assignments] = files.filter((f) => f.source === "assignments.json") as [
      { source: string; json: Record<string, unknown>[] },
    ];
    const withAssignments = (change: (list: Record<string, unknown>[]) => unknown[]) =>
      read([
        ...files.filter((f) => f.source !== "assignments.json"),
        { source: "assignments.json", json: change(structuredClone(assignments.json)) },
      ]);
    const permissions = (d: AzureDeployment) =>
      auditAzure(ir!, plan!, d).map((f) => `${f.kind} ${f.resource}: ${f.message}`);
    const contributor = API.roleAssignments[0]!;

    it("reports another role or scope of the identity, and nothing for other principals", () => {
      const ownerId = `/subscriptions/${API.subscriptionId}/providers/Microsoft.Authorization/roleAssignments/${uuidV5("extra")}`;
      const d = withAssignments((list) => [
        ...list,
        {
          ...assignment(API_PRINCIPAL.toUpperCase(), {
            name: uuidV5("extra"),
            role: "Owner",
            roleDefinitionId: `/subscriptions/${API.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`,
            scope: `/subscriptions/${API.subscriptionId}`,
          }),
          roleDefinitionName: undefined,
        },
        assignment(API_PRINCIPAL, {
          ...contributor,
          name: uuidV5("wider"),
          scope: `/subscriptions/${API.subscriptionId}/resourceGroups/web`,
        }),
      ]);
      assert.deepEqual(permissions(d), [
        `permissions ${ownerId}: managed identity api-deploy: Owner on /subscriptions/${API.subscriptionId} is assigned, which the grant does not assign`,
        `permissions /subscriptions/${API.subscriptionId}/resourceGroups/web/providers/Microsoft.Authorization/roleAssignments/${uuidV5("wider")}: managed identity api-deploy: Contributor on /subscriptions/${API.subscriptionId}/resourceGroups/web is assigned, which the grant does not assign`,
      ]);
    });

    it("compares roles by GUID and scopes in any case", () => {
      const d = withAssignments((list) =>
        list.map((r) =>
          r.principalId === API_PRINCIPAL
            ? {
                ...r,
                roleDefinitionName: undefined,
                roleDefinitionId: String(r.roleDefinitionId).toUpperCase(),
                scope: String(r.scope).toLowerCase(),
              }
            : r,
        ),
      );
      assert.deepEqual(permissions(d), []);
    });

    it("reports a planned assignment missing, or only under a condition", () => {
      const without = withAssignments((list) =>
        list.filter((r) => r.principalId !== API_PRINCIPAL),
      );
      assert.deepEqual(permissions(without), [
        `permissions ${API_ID}: managed identity api-deploy: Contributor on ${contributor.scope} of the grant is not assigned: run pulumi up, or pass the az role assignment list that holds the scope`,
      ]);
      const condition =
        "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'";
      const conditional = withAssignments((list) =>
        list.map((r) => (r.principalId === API_PRINCIPAL ? { ...r, condition } : r)),
      );
      assert.deepEqual(permissions(conditional), [
        `permissions ${contributor.scope}/providers/Microsoft.Authorization/roleAssignments/${contributor.name}: managed identity api-deploy: Contributor on ${contributor.scope} of the grant is assigned only under the condition ${JSON.stringify(condition)}`,
      ]);
    });

    it("reports a planned identity the identity files lack, and compares nothing without assignments", () => {
      const d = read(files);
      const lacking = { ...d, identities: d.identities.filter((i) => i.id !== API_ID) };
      assert.deepEqual(permissions(lacking), [
        `missing ${API_ID}: managed identity api-deploy is not in the identity files, so its role assignments were not compared: pass az identity list -o json of resource group identities`,
      ]);
      const { roleAssignments, ...rest } = withAssignments((list) => [
        ...list,
        assignment(API_PRINCIPAL, {
          ...contributor,
          name: uuidV5("x"),
          scope: `/subscriptions/${API.subscriptionId}`,
        }),
      ]);
      assert.equal(permissions({ ...rest, roleAssignments }).length, 1);
      assert.deepEqual(permissions(rest), []);
    });
  });
});
