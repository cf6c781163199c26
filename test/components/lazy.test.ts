import { strict as assert } from "node:assert";
import { runScript as run } from "../support/child";

/** Which of the Pulumi SDKs are in `require.cache`, as a script expression. */
const LOADED = `[...new Set(Object.keys(require.cache).flatMap((k) => {
  const m = /[\\\\/]node_modules[\\\\/]@pulumi[\\\\/]([^\\\\/]+)[\\\\/]/.exec(k);
  return m ? [m[1]] : [];
}))].sort()`;

/**
 * Which Pulumi SDKs trustplane loads, seen from fresh processes. Proves that an AWS-only
 * program runs with the Azure and GCP SDKs unavailable and that the entry points load no cloud
 * SDK; does NOT prove anything about bundlers, ESM loading or the published `dist/` build.
 */
describe("TrustPlane loading", function () {
  this.timeout(40_000);

  it("deploys an AWS-only document when @pulumi/azure-native and @pulumi/gcp cannot be required", () => {
    const script = `
      const Module = require("node:module");
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (/^@pulumi\\/(azure-native|gcp)(\\/|$)/.test(request)) throw new Error("blocked " + request);
        return resolve.call(this, request, ...rest);
      };
      const blocked = ["@pulumi/azure-native", "@pulumi/gcp/iam"].map((m) => {
        try { require(m); return m + " loaded"; } catch (e) { return e.message; }
      });
      const pulumi = require("@pulumi/pulumi");
      const { TrustPlane } = require("./lib/components/index.ts");
      const types = [];
      (async () => {
        await pulumi.runtime.setMocks(
          {
            newResource: (a) => { types.push(a.type + " " + a.name); return { id: a.name + "-id", state: { ...a.inputs, arn: "arn:" + a.name } }; },
            call: (a) => a.inputs,
          },
          "lazy", "test", false,
        );
        pulumi.log.warn = () => Promise.resolve();
        const plane = new TrustPlane("lazy", {
          version: 1,
          issuers: { ci: { kind: "github", subjectFormat: "immutable" } },
          targets: {
            "aws-prod": { cloud: "aws", accountId: "111111111111" },
            "gcp-prod": { cloud: "gcp", projectId: "acme-prod", projectNumber: "123456789012" },
          },
          identities: [{
            name: "alpha", issuer: "ci",
            subjects: [{ repository: "acme/alpha", repository_owner_id: "1342004", repository_id: "101", environment: "production" }],
            grants: [{ target: "aws-prod" }],
          }],
        });
        const identities = await new Promise((r) => plane.identities.apply(r));
        await pulumi.runtime.disconnect();
        console.log(JSON.stringify({ blocked, types: types.sort(), identities, loaded: ${LOADED} }));
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    assert.deepEqual(run(script), {
      // the hook works: these SDKs really are unavailable
      blocked: ["blocked @pulumi/azure-native", "blocked @pulumi/gcp/iam"],
      types: [
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider oidc-provider/111111111111/token.actions.githubusercontent.com",
        "aws:iam/role:Role alpha/aws-prod",
        "trustplane:aws:AwsTrust lazy-aws",
        "trustplane:index:TrustPlane lazy",
      ],
      identities: { alpha: { "aws-prod": { roleArn: "arn:alpha/aws-prod" } } },
      loaded: ["aws", "pulumi"],
    });
  });

  it("refuses a document with Azure grants when @pulumi/azure-native is missing, naming the package, and registers nothing", () => {
    const script = `
      const Module = require("node:module");
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (/^@pulumi\\/azure-native(\\/|$)/.test(request)) {
          const e = new Error("Cannot find module '" + request + "'");
          e.code = "MODULE_NOT_FOUND";
          throw e;
        }
        return resolve.call(this, request, ...rest);
      };
      const pulumi = require("@pulumi/pulumi");
      const { TrustPlane } = require("./lib/components/index.ts");
      const types = [];
      (async () => {
        await pulumi.runtime.setMocks(
          { newResource: (a) => { types.push(a.type); return { id: a.name, state: a.inputs }; }, call: (a) => a.inputs },
          "lazy", "test", false,
        );
        pulumi.log.warn = () => Promise.resolve();
        let issues;
        try {
          new TrustPlane("lazy", {
            version: 1,
            issuers: { ci: { kind: "github", subjectFormat: "immutable" } },
            targets: {
              "aws-prod": { cloud: "aws", accountId: "111111111111" },
              "azure-prod": { cloud: "azure", tenantId: "00000000-0000-0000-0000-000000000001", subscriptionId: "00000000-0000-0000-0000-000000000002", resourceGroup: "identities", location: "westeurope" },
            },
            identities: [{
              name: "alpha", issuer: "ci",
              subjects: [{ repository: "acme/alpha", repository_owner_id: "1342004", repository_id: "101", environment: "production" }],
              grants: [{ target: "aws-prod" }, { target: "azure-prod" }],
            }],
          });
        } catch (e) {
          issues = e.issues;
        }
        await pulumi.runtime.disconnect();
        console.log(JSON.stringify({ issues, types }));
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    assert.deepEqual(run(script), {
      issues: [
        {
          code: "missing_sdk",
          severity: "error",
          path: ["targets", "azure-prod"],
          message:
            'this stack deploys Azure grants (targets "azure-prod"), but @pulumi/azure-native cannot be loaded: install it (npm install @pulumi/azure-native), or set the TrustPlane option only to the targets this stack deploys',
        },
      ],
      types: [],
    });
  });

  it("loads no cloud SDK from either entry point, and no Pulumi SDK from the main one", () => {
    const script = `
      require("./lib/index.ts");
      const main = ${LOADED};
      require("./lib/components/index.ts");
      const components = ${LOADED};
      console.log(JSON.stringify({ main, components }));
    `;
    assert.deepEqual(run(script), { main: [], components: ["pulumi"] });
  });
});
