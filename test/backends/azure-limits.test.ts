import { strict as assert } from "node:assert";
import { analyse } from "../../lib/compile";
import type { Issue } from "../../lib/errors";
import { formatPath } from "../../lib/errors";
import { TARGETS } from "../support/documents";

const GITHUB = { kind: "github" };
const API = { repository: "acme/api", environment: "production" };

/** A document with one GitHub identity named `name`, granted in azure-prod with `grant`. */
function withIdentity(name: string, grant: object = {}, issuer: object = GITHUB, target = {}) {
  return {
    version: 1,
    issuers: { ci: issuer },
    targets: { "azure-prod": { ...TARGETS["azure-prod"], ...target } },
    identities: [
      { name, issuer: "ci", subjects: [API], grants: [{ target: "azure-prod", ...grant }] },
    ],
  };
}

const found = (issues: readonly Issue[], code: string) =>
  issues.filter((i) => i.code === code).map((i) => [formatPath(i.path), i.severity, i.message]);

describe("azure limits", () => {
  describe("managed identity names", () => {
    it("fails when the identity's own name is under 3 characters, and says to set identityName", () => {
      assert.deepStrictEqual(found(analyse(withIdentity("ab")).issues, "invalid_name"), [
        [
          "identities[0].grants[0].identityName",
          "error",
          `the managed identity would be named "ab", and identity names are 3-128 letters, digits, '-' and '_', starting with a letter or digit; set identityName on this grant`,
        ],
      ]);
    });

    it("accepts 3 characters, and the fix", () => {
      assert.deepStrictEqual(found(analyse(withIdentity("abc")).issues, "invalid_name"), []);
      const fixed = analyse(withIdentity("ab", { identityName: "ab-deploy" }));
      assert.ok(fixed.plan, JSON.stringify(fixed.issues));
    });

    it("fails on an identityName Azure refuses, in the schema", () => {
      for (const name of ["ab", "-abc", "a".repeat(129), "a.b.c"]) {
        const { issues } = analyse(withIdentity("deploy", { identityName: name }));
        assert.deepStrictEqual(
          issues.filter((i) => i.severity === "error").map((i) => [i.code, formatPath(i.path)]),
          [["invalid_value", "identities[0].grants[0].identityName"]],
          name,
        );
      }
      assert.ok(analyse(withIdentity("deploy", { identityName: "A".repeat(128) })).plan);
    });
  });

  describe("regions", () => {
    it("fails on a location whose managed identities take no federated credential", () => {
      for (const location of ["newzealandnorth", "malaysiasouth"]) {
        const { issues } = analyse(withIdentity("deploy", {}, GITHUB, { location }));
        assert.deepStrictEqual(
          issues.filter((i) => i.severity === "error").map((i) => [i.code, formatPath(i.path)]),
          [["azure_region_unsupported", "targets.azure-prod.location"]],
          location,
        );
      }
    });

    it("accepts the regions Microsoft has enabled since (East Asia, Italy North) and the others", () => {
      for (const location of ["eastasia", "italynorth", "westeurope", "malaysiawest"]) {
        assert.ok(analyse(withIdentity("deploy", {}, GITHUB, { location })).plan, location);
      }
    });
  });
});
