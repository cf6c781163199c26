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

  describe("role policies", () => {
    const own = (i: number) => `arn:aws:iam::111111111111:policy/p-${i}`;
    const policies = (n: number) => Array.from({ length: n }, (_, i) => own(i));

    it("holds managed policies to managedPolicyQuota: 10 by default, at most 20", () => {
      assert.deepStrictEqual(issuesOf({ managedPolicyArns: policies(10) }), []);
      assert.deepStrictEqual(issuesOf({ managedPolicyArns: policies(11) }), [
        ["aws_too_many_managed_policies", "identities[0].grants[0].managedPolicyArns"],
      ]);
      assert.deepStrictEqual(
        issuesOf({ managedPolicyArns: policies(20) }, { managedPolicyQuota: 20 }),
        [],
      );
      assert.deepStrictEqual(
        issuesOf({ managedPolicyArns: policies(11) }, { managedPolicyQuota: 12 }),
        [],
      );
      assert.deepStrictEqual(
        issuesOf({ managedPolicyArns: policies(21) }, { managedPolicyQuota: 20 }),
        [["invalid_value", "identities[0].grants[0].managedPolicyArns"]],
      );
      assert.deepStrictEqual(issuesOf({}, { managedPolicyQuota: 21 }), [
        ["invalid_value", "targets.aws-prod.managedPolicyQuota"],
      ]);
    });

    it("takes policy ARNs only, of the role's partition and account or AWS's", () => {
      for (const arn of ["arn:aws:s3:::acme-state", "arn:aws:iam::111111111111:role/deploy"]) {
        assert.deepStrictEqual(issuesOf({ managedPolicyArns: [arn] }), [
          ["invalid_value", "identities[0].grants[0].managedPolicyArns[0]"],
        ]);
        assert.deepStrictEqual(issuesOf({ permissionsBoundary: arn }), [
          ["invalid_value", "identities[0].grants[0].permissionsBoundary"],
        ]);
      }
      const cn = { partition: "aws-cn" };
      assert.deepStrictEqual(
        issuesOf({ managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }, cn),
        [["aws_policy_arn_mismatch", "identities[0].grants[0].managedPolicyArns[0]"]],
      );
      assert.deepStrictEqual(
        issuesOf({ permissionsBoundary: "arn:aws:iam::222222222222:policy/boundary" }),
        [["aws_policy_arn_mismatch", "identities[0].grants[0].permissionsBoundary"]],
      );
      assert.deepStrictEqual(
        issuesOf(
          {
            managedPolicyArns: ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"],
            permissionsBoundary: "arn:aws-cn:iam::111111111111:policy/team/boundary",
          },
          cn,
        ),
        [],
      );
    });

    /** A one-statement policy whose JSON, less white space, is exactly `size` characters. */
    const sized = (size: number) => {
      const base = {
        Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::" },
      };
      const pad = size - JSON.stringify(base).length;
      return { Statement: { ...base.Statement, Resource: `arn:aws:s3:::${"a".repeat(pad)}` } };
    };

    it("holds a role's inline policies to 10,240 characters together, white space not counted", () => {
      const half = { a: sized(5120), b: sized(5120) };
      assert.deepStrictEqual(issuesOf({ inlinePolicies: half }), []);
      assert.deepStrictEqual(issuesOf({ inlinePolicies: { ...half, b: sized(5121) } }), [
        ["aws_inline_policies_too_large", "identities[0].grants[0].inlinePolicies"],
      ]);
      // white space inside values is not counted either
      const b = sized(5120);
      const spaced = {
        Statement: { ...b.Statement, Resource: `${b.Statement.Resource}${" ".repeat(50)}` },
      };
      assert.deepStrictEqual(issuesOf({ inlinePolicies: { a: sized(5120), b: spaced } }), []);
    });

    const invalid: [string, unknown, string][] = [
      [
        "Version",
        { Version: "2012-10-18", Statement: { Effect: "Allow", Action: "*", Resource: "*" } },
        "Version",
      ],
      ["Statement", { Version: "2012-10-17" }, ""],
      ["Id", { Id: "x", Statement: { Effect: "Allow", Action: "*", Resource: "*" } }, "Id"],
      [
        "Effect",
        { Statement: { Effect: "allow", Action: "*", Resource: "*" } },
        "Statement.Effect",
      ],
      ["Action", { Statement: { Effect: "Allow", Resource: "*" } }, "Statement"],
      [
        "both",
        { Statement: { Effect: "Allow", Action: "*", NotAction: "iam:*", Resource: "*" } },
        "Statement.NotAction",
      ],
      [
        "vendor",
        { Statement: [{ Effect: "Allow", Action: "GetObject", Resource: "*" }] },
        "Statement[0].Action",
      ],
      [
        "ARN",
        { Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "acme-bucket" }] },
        "Statement[0].Resource",
      ],
      ["no Resource", { Statement: [{ Effect: "Deny", Action: "s3:*" }] }, "Statement[0]"],
      [
        "Sid",
        { Statement: [{ Sid: "read-state", Effect: "Allow", Action: "s3:*", Resource: "*" }] },
        "Statement[0].Sid",
      ],
      [
        "Condition",
        {
          Statement: [
            { Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { Bool: true } },
          ],
        },
        "Statement[0].Condition",
      ],
      ["empty", { Statement: [] }, "Statement"],
    ];
    for (const [what, document, at] of invalid) {
      it(`fails on an inline policy IAM refuses: ${what}`, () => {
        const path = `identities[0].grants[0].inlinePolicies.p${at ? `.${at}` : ""}`;
        assert.deepStrictEqual(issuesOf({ inlinePolicies: { p: document } }), [
          ["aws_invalid_policy", path],
        ]);
      });
    }

    it("fails on {hello: world} twice (no such key, no Statement) and on a repeated Sid", () => {
      assert.deepStrictEqual(issuesOf({ inlinePolicies: { p: { hello: "world" } } }), [
        ["aws_invalid_policy", "identities[0].grants[0].inlinePolicies.p.hello"],
        ["aws_invalid_policy", "identities[0].grants[0].inlinePolicies.p"],
      ]);
      const s = { Sid: "Read", Effect: "Allow", Action: "s3:Get*", Resource: "*" };
      assert.deepStrictEqual(issuesOf({ inlinePolicies: { p: { Statement: [s, s] } } }), [
        ["aws_invalid_policy", "identities[0].grants[0].inlinePolicies.p.Statement[1].Sid"],
      ]);
      assert.deepStrictEqual(
        issuesOf({ inlinePolicies: { p: { Statement: { ...s, Sid: "Lesen – Zugriff" } } } })[0],
        ["aws_invalid_policy", "identities[0].grants[0].inlinePolicies.p.Statement.Sid"],
      );
    });

    it("fails on a character IAM cannot store, and takes Latin-1", () => {
      const policy = (resource: string) => ({
        p: { Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: resource } },
      });
      assert.deepStrictEqual(issuesOf({ inlinePolicies: policy("arn:aws:s3:::café/*") }), []);
      assert.deepStrictEqual(issuesOf({ inlinePolicies: policy("arn:aws:s3:::生产/*") }), [
        ["aws_invalid_policy", "identities[0].grants[0].inlinePolicies.p"],
      ]);
    });

    it("takes every form the grammar allows", () => {
      const ok = {
        Version: "2008-10-17",
        Statement: [
          { Sid: "A1", Effect: "Allow", NotAction: ["iam:*"], NotResource: "arn:aws:iam::*:*:*" },
          {
            Effect: "Deny",
            Action: "*",
            Resource: ["*"],
            Condition: {
              Bool: { "aws:SecureTransport": false },
              NumericLessThan: { "s3:max-keys": [10] },
            },
          },
        ],
      };
      assert.deepStrictEqual(issuesOf({ inlinePolicies: { p: ok } }), []);
    });
  });
});
