import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { auditAzure } from "../../lib/backends/azure/audit";
import type { DeployedCredential } from "../../lib/backends/azure/deployed";
import {
  identityId,
  isCredentialList,
  readAzureCredentials,
} from "../../lib/backends/azure/deployed";
import { compileDocument } from "../../lib/compile";
import { intentAccepts } from "../../lib/inspect/token-claims";
import type { Plan } from "../../lib/plan/types";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const compiled = (file: string) =>
  compileDocument(parse(readFileSync(join(EXAMPLES, file), "utf8")) as unknown);
const { plan, ir } = compiled("platform.yaml");

/**
 * What `az identity federated-credential list -o json` prints for every identity of the plan
 * (https://learn.microsoft.com/cli/azure/identity/federated-credential: items with audiences,
 * id, issuer, name, resourceGroup, subject, type), as one file per identity.
 */
function exportsOf(of: Plan): { source: string; json: unknown }[] {
  return of.identities.flatMap((i) =>
    i.grants.flatMap((g) => {
      if (g.cloud !== "azure") return [];
      const a = g.artefacts;
      const base = `/subscriptions/${a.subscriptionId}/resourcegroups/${a.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${a.identityName}`;
      const json = a.credentials.map((c) => ({
        audiences: [c.audience],
        id: `${base}/federatedIdentityCredentials/${c.name}`,
        issuer: c.issuer,
        name: c.name,
        resourceGroup: a.resourceGroup,
        subject: c.subject,
        type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
      }));
      return [{ source: `${a.identityName}.json`, json }];
    }),
  );
}

function read(files: { source: string; json: unknown }[]): DeployedCredential[] {
  const r = readAzureCredentials(files);
  assert.ok("credentials" in r, JSON.stringify(r));
  return r.credentials;
}

const apiDeploy = plan!.identities
  .find((i) => i.name === "api-deploy")!
  .grants.find((g) => g.cloud === "azure")!;
const API_ID = (() => {
  const a = apiDeploy.artefacts as {
    subscriptionId: string;
    resourceGroup: string;
    identityName: string;
  };
  return identityId(a.subscriptionId, a.resourceGroup, a.identityName);
})();

/**
 * `audit` on Azure federated credentials (issue 13, part 3, library only). Proves a faithful
 * export of every example has no finding and that an extra, a changed, a missing and a flexible
 * credential each give their finding; does NOT compare role assignments (not built yet).
 */
describe("audit: Azure federated credentials against the intent", () => {
  it("reads the CLI's list, and refuses other files by name", () => {
    const files = exportsOf(plan!);
    assert.ok(files.every((f) => isCredentialList(f.json)));
    const planned = plan!.identities.flatMap((i) =>
      i.grants.flatMap((g) => (g.cloud === "azure" ? g.artefacts.credentials : [])),
    );
    assert.deepEqual(
      read(files).map((c) => [c.name, c.subject]),
      planned.map((c) => [c.name, c.subject]),
    );
    const refused = readAzureCredentials([{ source: "x.json", json: { value: [] } }]);
    assert.deepEqual(refused, {
      problems: [
        "x.json is not an output trustplane reads for Azure: expected az identity federated-credential list -o json (a list whose items' id names their identity)",
      ],
    });
  });

  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"))) {
    it(`finds nothing in a deployment of ${file}'s compiled plan`, () => {
      const c = compiled(file);
      assert.deepEqual(auditAzure(c.ir!, c.plan!, read(exportsOf(c.plan!))), []);
    });
  }

  it("reports an extra credential as an over-grant with a token the intent refuses", () => {
    const credentials = read(exportsOf(plan!));
    const first = credentials.find((c) => c.identityId === API_ID)!;
    credentials.push({ ...first, name: "extra", subject: "repo:acme/api:ref:refs/heads/dev" });
    const found = auditAzure(ir!, plan!, credentials);
    assert.ok(found.length > 0);
    const identity = ir!.identities.find((i) => i.name === "api-deploy")!;
    for (const f of found) {
      assert.equal(f.kind, "over-grant");
      assert.equal(intentAccepts(identity, f.token!), false);
    }
    assert.match(found[0]!.message, /repo:acme\/api:ref:refs\/heads\/dev/);
  });

  it("reports a missing credential as an under-grant, and an identity without any as missing", () => {
    const credentials = read(exportsOf(plan!));
    const fewer = credentials.filter(
      (c, i) =>
        !(c.identityId === API_ID && i === credentials.findIndex((d) => d.identityId === API_ID)),
    );
    assert.ok(auditAzure(ir!, plan!, fewer).some((f) => f.kind === "under-grant"));
    const none = credentials.filter((c) => c.identityId !== API_ID);
    assert.deepEqual(
      auditAzure(ir!, plan!, none).map((f) => `${f.kind} ${f.resource}`),
      [`missing ${API_ID}`],
    );
  });

  it("reports a credential on an identity the intent does not plan as unmanaged", () => {
    const credentials = read(exportsOf(plan!));
    const shadow = { ...credentials[0]!, identityId: `${API_ID}-old`, name: "old" };
    assert.deepEqual(
      auditAzure(ir!, plan!, [...credentials, shadow]).map((f) => f.kind),
      ["unmanaged"],
    );
  });

  it("reports a flexible credential as risky and decides nothing by guess", () => {
    const credentials = read(exportsOf(plan!));
    const first = credentials.find((c) => c.identityId === API_ID)!;
    credentials.push({
      ...first,
      name: "flexible",
      subject: "",
      expression: "claims['sub'] matches 'repo:acme/*'",
    });
    assert.deepEqual(
      auditAzure(ir!, plan!, credentials).map((f) => f.kind),
      ["risky"],
    );
  });
});
