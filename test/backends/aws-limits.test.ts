import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { AWS_MANAGED_POLICY_NAMES } from "../../lib/backends/aws/managed-policies";
import { analyse } from "../../lib/compile";
import { formatPath } from "../../lib/errors";
import { oneIdentity } from "../support/documents";

const GITHUB = { kind: "github" };
const API = { repository: "acme/api", environment: "production" };
const EXAMPLES = join(__dirname, "..", "..", "examples");

/** `[code, path]` of every issue of a one-identity document with this AWS grant. */
function issuesOf(grant: object, target: object = {}): [string, string][] {
  const document = oneIdentity(GITHUB, [API], [{ target: "aws-prod", ...grant }]);
  Object.assign((document.targets as Record<string, object>)["aws-prod"]!, target);
  return analyse(document)
    .issues.filter((i) => i.code !== "mutable_subject")
    .map((i) => [i.code, formatPath(i.path)]);
}

/** `count` identities of one issuer in aws-prod (and aws-other, same account, for every other). */
function manyIdentities(count: number, issuer: object, grant: (i: number) => object) {
  return {
    version: 1,
    issuers: { ci: issuer },
    targets: {
      "aws-prod": { cloud: "aws", accountId: "111111111111" },
      "aws-other": { cloud: "aws", accountId: "111111111111" },
    },
    identities: Array.from({ length: count }, (_, i) => ({
      name: `id-${i}`,
      issuer: "ci",
      subjects: [{ sub: "system:serviceaccount:apps:deploy" }],
      grants: [{ target: i % 2 ? "aws-other" : "aws-prod", roleName: `role-${i}`, ...grant(i) }],
    })),
  };
}

const errors = (document: unknown) =>
  analyse(document)
    .issues.filter((i) => i.severity === "error")
    .map((i) => [i.code, formatPath(i.path)]);

describe("aws limits", () => {
  describe("OIDC providers", () => {
    const k8s = (length: number) => ({
      kind: "kubernetes",
      url: `https://oidc.example/${"a".repeat(length - 21)}`,
    });

    it("accepts a 255-character URL and refuses 256, once at the issuer's url", () => {
      assert.equal(k8s(255).url.length, 255);
      assert.deepStrictEqual(errors(manyIdentities(2, k8s(255), () => ({}))), []);
      assert.deepStrictEqual(errors(manyIdentities(2, k8s(256), () => ({}))), [
        ["aws_value_too_long", "issuers.ci.url"],
      ]);
    });

    it("takes 255-character audiences (the schema refuses longer ones, for every cloud)", () => {
      const k = { kind: "kubernetes", url: "https://oidc.example" };
      const audience = (length: number) => () => ({ audience: "a".repeat(length) });
      assert.deepStrictEqual(errors(manyIdentities(1, k, audience(255))), []);
      assert.deepStrictEqual(errors(manyIdentities(1, k, audience(256))), [
        ["invalid_value", "identities[0].grants[0].audience"],
      ]);
    });

    it("merges the audiences of every target in the account: 100 client IDs pass, 101 fail", () => {
      const k = { kind: "kubernetes", url: "https://oidc.example" };
      assert.deepStrictEqual(errors(manyIdentities(100, k, (i) => ({ audience: `aud-${i}` }))), []);
      assert.deepStrictEqual(errors(manyIdentities(101, k, (i) => ({ audience: `aud-${i}` }))), [
        ["aws_too_many_client_ids", "identities[100].grants[0].audience"],
      ]);
    });
  });

  describe("AWS managed policies", () => {
    it("knows every managed policy and boundary the examples attach", () => {
      const arns = readdirSync(EXAMPLES)
        .filter((f) => f.endsWith(".yaml"))
        .flatMap((f) => {
          const text = readFileSync(join(EXAMPLES, f), "utf8");
          const found = [...text.matchAll(/arn:aws:iam::aws:policy\/[\w+=,.@/-]+/g)].map(
            (m) => m[0],
          );
          const issues = analyse(parseYaml(text)).issues.filter(
            (i) => i.code === "aws_unknown_managed_policy",
          );
          assert.deepStrictEqual(issues, [], f);
          return found;
        });
      // the examples do attach AWS managed policies, so the check above has something to find
      assert.ok(arns.length >= 5, `found ${arns.length}`);
      const names = new Set(AWS_MANAGED_POLICY_NAMES.split("\n"));
      for (const arn of arns) assert.ok(names.has(arn.split(":policy/")[1]!), arn);
    });

    it("warns on a name AWS does not have, with the closest one, in any partition", () => {
      const [issue] = analyse(
        oneIdentity(
          GITHUB,
          [API],
          [{ target: "aws-prod", permissionsBoundary: "arn:aws:iam::aws:policy/ReadOnlyAcess" }],
        ),
      ).issues.filter((i) => i.code === "aws_unknown_managed_policy");
      assert.equal(issue?.severity, "warning");
      assert.equal(formatPath(issue.path), "identities[0].grants[0].permissionsBoundary");
      assert.match(issue.message, /did you mean "arn:aws:iam::aws:policy\/ReadOnlyAccess"\?$/);
      const cn = issuesOf(
        { managedPolicyArns: ["arn:aws-cn:iam::aws:policy/PowerUserAcces"] },
        { partition: "aws-cn" },
      );
      assert.deepStrictEqual(cn, [
        ["aws_unknown_managed_policy", "identities[0].grants[0].managedPolicyArns[0]"],
      ]);
    });

    it("says a service-linked role policy is not for roles of yours, and leaves your own policies alone", () => {
      const found = analyse(
        oneIdentity(
          GITHUB,
          [API],
          [
            {
              target: "aws-prod",
              managedPolicyArns: [
                "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy",
                "arn:aws:iam::111111111111:policy/NoSuchPolicyAnywhere",
              ],
            },
          ],
        ),
      ).issues.filter((i) => i.code === "aws_unknown_managed_policy");
      assert.deepStrictEqual(
        found.map((i) => formatPath(i.path)),
        ["identities[0].grants[0].managedPolicyArns[0]"],
      );
      assert.match(found[0]!.message, /belong to service-linked roles/);
      assert.deepStrictEqual(
        issuesOf({
          managedPolicyArns: [
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
          ],
        }),
        [],
      );
    });
  });
});
