// Issue 9: no cloud accepts a token the intent refuses, whoever shaped the token. One test (or
// a few) per defect the issue lists, each failing on the compiler before the fix; then the
// attacker tokens of `verify` shown to catch the old, widened artefacts that the rest of the
// corpus lets through.
//
// What these tests do NOT prove:
// - that GitHub or GitLab write subs exactly as lib/claims/layouts.ts reads them: the readings
//   follow the vendors' docs (include_claim_keys, sub claim components), not their code;
// - that STS, Entra or GCP decide as trustplane's evaluators do (see verify.test.ts);
// - that the attacker tokens find every widening: they fill each wildcard from a fixed list of
//   candidates (lib/inspect/attacker.ts); the property tests in verify.test.ts add random
//   documents, not random fills;
// - how STS reads a claim that is not a string: trustplane takes it as present and matching no
//   String operator (undocumented), and only the evaluator relies on that.
import { strict as assert } from "node:assert";
import type { AwsArtefacts } from "../../lib/backends/aws/grant";
import type { TrustPolicy } from "../../lib/backends/aws/trust-policy";
import type { GcpArtefacts } from "../../lib/backends/gcp/grant";
import { analyse, compileDocument } from "../../lib/compile";
import { formatPath } from "../../lib/errors";
import type { Issue } from "../../lib/errors";
import { audiencesOf, intentAccepts } from "../../lib/inspect/token-claims";
import { corpus } from "../../lib/inspect/corpus";
import { evaluateGrant, explain } from "../../lib/inspect/explain";
import { evaluateProvider } from "../../lib/backends/gcp/evaluate";
import { verify, verifyPlan } from "../../lib/inspect/verify";
import type { DocumentIR } from "../../lib/ir/types";
import type { Plan } from "../../lib/plan/types";
import { grantsIn, oneIdentity } from "../support/documents";

type Json = Record<string, unknown>;

const GITHUB_IMMUTABLE = { kind: "github", subjectFormat: "immutable" };
const HOST = "token.actions.githubusercontent.com";
const PLATFORM = {
  kind: "oidc",
  url: "https://idp.platform.example",
  claims: ["namespace", "app"],
  subjectTemplate: "ns:{namespace}:app:{app}",
};

/** `code path` of each error, for comparing with a list. */
function errors(document: unknown): string[] {
  return analyse(document)
    .issues.filter((i) => i.severity === "error")
    .map((i) => `${i.code} ${formatPath(i.path)}`);
}

function issuesOf(document: unknown, code: Issue["code"]): Issue[] {
  return analyse(document).issues.filter((i) => i.code === code);
}

function compiled(document: unknown): { ir: DocumentIR; plan: Plan } {
  const { ir, plan, issues } = compileDocument(document);
  assert.ok(ir && plan, issues.map((i) => `${i.code}: ${i.message}`).join("\n"));
  return { ir, plan };
}

function trustPolicy(plan: Plan, identity = 0, grant = 0): TrustPolicy {
  return (plan.identities[identity]!.grants[grant]!.artefacts as AwsArtefacts).trustPolicy;
}

/** How many divergences verify finds, and how many of them the attacker tokens found. */
function divergences(ir: DocumentIR, plan: Plan): { all: number; attacker: number } {
  const v = verifyPlan(ir, plan);
  return {
    all: v.divergences.length,
    attacker: v.divergences.filter((d) => d.origin.startsWith("attacker")).length,
  };
}

/**
 * The tokens of the corpus as it was before issue 9 (selector instances and their neighbours,
 * no attacker or hostile tokens) that `grant` decides differently from the intent.
 */
function missedByOldCorpus(ir: DocumentIR, plan: Plan): number {
  const identity = ir.identities[0]!;
  const grant = plan.identities[0]!.grants[0]!;
  return corpus(identity, ir.identities)
    .filter((t) => !t.origin.startsWith("hostile") && !t.origin.startsWith("attacker"))
    .filter((t) => {
      const audiences = audiencesOf(t.claims) ?? [grant.audience];
      const intent = intentAccepts(identity, t.claims) && audiences.includes(grant.audience);
      return evaluateGrant(identity, grant, t.claims).allowed !== intent;
    }).length;
}

describe("soundness against tokens other principals shape (issue 9)", () => {
  describe("defect 1: a wildcard before the IDs that pin the repository", () => {
    const selector = {
      repository_owner_id: "123456",
      repository_id: "456789",
      ref: "refs/heads/main",
      environment: { absent: true },
    };

    it("checks the IDs with GitHub's STS condition keys on github.com", () => {
      const { plan } = compiled(oneIdentity(GITHUB_IMMUTABLE, [selector], grantsIn("aws")));
      assert.deepStrictEqual(trustPolicy(plan).Statement[0]!.Condition, {
        StringEquals: {
          [`${HOST}:aud`]: "sts.amazonaws.com",
          [`${HOST}:repository_id`]: "456789",
          [`${HOST}:repository_owner_id`]: "123456",
        },
        StringLike: { [`${HOST}:sub`]: "repo:*@123456/*@456789:ref:refs/heads/main" },
      });
    });

    it("refuses it where AWS has no keys (GitHub Enterprise Server), saying why", () => {
      const ghes = { ...GITHUB_IMMUTABLE, url: "https://ghe.example.com/_services/token" };
      const found = issuesOf(
        oneIdentity(ghes, [selector], grantsIn("aws")),
        "claim_not_expressible",
      );
      assert.deepStrictEqual(
        found.map((i) => formatPath(i.path)),
        [
          "identities[0].subjects[0].repository_id",
          "identities[0].subjects[0].repository_owner_id",
        ],
      );
      assert.match(
        found[0]!.message,
        /another repository can lay out its own sub \(include_claim_keys\) and fill the wildcards of "repo:\*@123456\/\*@456789:ref:refs\/heads\/main" with values of its own, so sub does not prove repository_id/,
      );
    });

    it("with a repository pattern, another repository of the organization is kept out by its ID", () => {
      const withPattern = { ...selector, repository: { pattern: "octo-org/*" } };
      const { plan, ir } = compiled(oneIdentity(GITHUB_IMMUTABLE, [withPattern], grantsIn("aws")));
      const condition = trustPolicy(plan).Statement[0]!.Condition;
      assert.equal(condition.StringEquals?.[`${HOST}:repository_id`], "456789");
      assert.equal(
        condition.StringLike?.[`${HOST}:sub`],
        "repo:octo-org@123456/*@456789:ref:refs/heads/main",
      );
      // the owner is pinned by the literal head of sub, whatever layout: no key needed
      assert.equal(condition.StringEquals?.[`${HOST}:repository_owner_id`], undefined);
      assert.equal(verifyPlan(ir, plan).ok, true);
    });

    it("verify catches the old artefact with attacker tokens only (the old corpus misses it)", () => {
      const { ir, plan } = compiled(oneIdentity(GITHUB_IMMUTABLE, [selector], grantsIn("aws")));
      assert.deepStrictEqual(divergences(ir, plan), { all: 0, attacker: 0 });
      // the fixture: the trust policy as trustplane compiled it before, sub alone
      const widened = structuredClone(plan);
      const policy = (
        widened.identities[0]!.grants[0]!.artefacts as unknown as { trustPolicy: Json }
      ).trustPolicy as { Statement: { Condition: { StringEquals: Json } }[] };
      policy.Statement[0]!.Condition.StringEquals = { [`${HOST}:aud`]: "sts.amazonaws.com" };
      const found = divergences(ir, widened);
      assert.ok(found.attacker >= 1, JSON.stringify(found));
      assert.equal(found.all, found.attacker);
      assert.equal(missedByOldCorpus(ir, widened), 0);
      const token = verifyPlan(ir, widened).divergences[0]!.token;
      assert.equal(token.repository, "mallory/tools");
      assert.match(
        String(token.sub),
        /^repo:mallory\/tools:(workflow|environment):x@123456\/x@456789:ref:refs\/heads\/main$/,
      );
    });

    it("GitLab: a project ID after a wildcard is checked with gitlab.com's key, refused elsewhere", () => {
      const subject = { project_id: "4711", ref: "main", ref_type: "branch" };
      const { plan } = compiled(oneIdentity({ kind: "gitlab" }, [subject], grantsIn("aws")));
      const condition = trustPolicy(plan).Statement[0]!.Condition;
      assert.equal(condition.StringEquals?.["gitlab.com:project_id"], "4711");
      assert.equal(
        condition.StringLike?.["gitlab.com:sub"],
        "project_path:*:ref_type:branch:ref:main",
      );
      const selfManaged = { kind: "gitlab", url: "https://gitlab.example.com" };
      assert.deepStrictEqual(errors(oneIdentity(selfManaged, [subject], grantsIn("aws"))), [
        "claim_not_expressible identities[0].subjects[0].project_id",
      ]);
    });
  });

  describe("defect 2: a value that may hold the template's next literal", () => {
    it("is refused on AWS with the reason and the fix", () => {
      const found = issuesOf(
        oneIdentity(PLATFORM, [{ namespace: "payments" }], grantsIn("aws")),
        "claim_not_expressible",
      );
      assert.equal(found.length, 1);
      assert.equal(formatPath(found[0]!.path), "identities[0].subjects[0].namespace");
      assert.equal(
        found[0]!.message,
        `AWS can match only sub and aud for https://idp.platform.example, and a namespace value may itself hold ":app:", which follows it in the sub of a token, so sub cannot tell where the value ends; declare the characters of namespace in the issuer's alphabets if its values never hold the template's separators, select namespace only for clouds that can check it, or narrow the selector so that sub decides namespace`,
      );
    });

    it("compiles once the document declares the claim's alphabet, and verifies", () => {
      const declared = { ...PLATFORM, alphabets: { namespace: "a-z0-9-" } };
      const { ir, plan } = compiled(
        oneIdentity(declared, [{ namespace: "payments" }], grantsIn("aws", "gcp")),
      );
      assert.equal(
        trustPolicy(plan).Statement[0]!.Condition.StringLike?.["idp.platform.example:sub"],
        "ns:payments:app:*",
      );
      assert.equal(verifyPlan(ir, plan).ok, true);
    });

    it("a Spacelift-style template: a value holding the next literal is caught the same way", () => {
      const spacelift = {
        kind: "oidc",
        url: "https://acme.app.spacelift.io",
        claims: ["spaceId", "callerType", "callerId", "runType", "scope"],
        subjectTemplate: "space:{spaceId}:{callerType}:{callerId}:run_type:{runType}:scope:{scope}",
      };
      const subject = { spaceId: "prod", callerType: "stack", callerId: "network" };
      assert.deepStrictEqual(errors(oneIdentity(spacelift, [subject], grantsIn("aws"))), [
        "claim_not_expressible identities[0].subjects[0].callerId",
        "claim_not_expressible identities[0].subjects[0].callerType",
        "claim_not_expressible identities[0].subjects[0].spaceId",
      ]);
      const declared = {
        ...spacelift,
        alphabets: { spaceId: "a-z0-9-", callerType: "a-z", callerId: "a-z0-9-" },
      };
      const { ir, plan } = compiled(oneIdentity(declared, [subject], grantsIn("aws")));
      assert.equal(
        trustPolicy(plan).Statement[0]!.Condition.StringLike?.["acme.app.spacelift.io:sub"],
        "space:prod:stack:network:run_type:*",
      );
      assert.equal(verifyPlan(ir, plan).ok, true);
    });

    it("verify catches the widened glob once the alphabet is not declared (tokens hold ':app:')", () => {
      const declared = { ...PLATFORM, alphabets: { namespace: "a-z0-9-" } };
      const { plan } = compiled(
        oneIdentity(declared, [{ namespace: "payments" }], grantsIn("aws")),
      );
      // the same identity read without the alphabet: its namespace values may hold anything
      const { ir } = compileDocument(
        oneIdentity(PLATFORM, [{ namespace: "payments" }], grantsIn("gcp")),
      );
      const found = verifyPlan(ir!, plan).divergences;
      assert.ok(found.length >= 1);
      assert.ok(found.every((d) => d.intent === false && d.allowed === true));
      assert.ok(found.some((d) => String(d.token.namespace).startsWith("payments:app:")));
      assert.equal(missedByOldCorpus(ir!, plan), 0);
    });

    it("refuses a selector value outside the declared alphabet, and an alphabet that is not a class", () => {
      const declared = { ...PLATFORM, alphabets: { namespace: "a-z", app: "a]" } };
      assert.deepStrictEqual(
        errors(oneIdentity(declared, [{ namespace: "pay:x" }], grantsIn("gcp"))),
        [
          "invalid_value issuers.ci.alphabets.app",
          "unsatisfiable_selector identities[0].subjects[0].namespace",
        ],
      );
      const stray = { ...PLATFORM, alphabets: { team: "a-z" } };
      assert.deepStrictEqual(errors(oneIdentity(stray, [{ namespace: "x" }], grantsIn("gcp"))), [
        "unknown_claim issuers.ci.alphabets.team",
      ]);
    });
  });

  describe("defect 3: prototype names", () => {
    it("refuses a selector key, an issuer and a target named __proto__ at their paths", () => {
      const document = oneIdentity({ kind: "github" }, [
        JSON.parse(
          '{"repository":"acme/api","environment":"production","__proto__":"release-signer"}',
        ) as Json,
      ]) as Json;
      document.issuers = JSON.parse(
        '{"ci":{"kind":"github"},"__proto__":{"kind":"github"}}',
      ) as Json;
      document.targets = {
        ...(document.targets as Json),
        ...(JSON.parse('{"__proto__":{"cloud":"aws","accountId":"111111111111"}}') as Json),
      };
      assert.deepStrictEqual(
        errors(document).filter((e) => e.startsWith("invalid_name")),
        [
          "invalid_name identities[0].subjects[0].__proto__",
          "invalid_name issuers.__proto__",
          "invalid_name targets.__proto__",
        ],
      );
    });

    it("handles claims named constructor, toString, valueOf and hasOwnProperty like any other", () => {
      const names = ["constructor", "toString", "valueOf", "hasOwnProperty"];
      const issuer = {
        kind: "oidc",
        url: "https://idp.example",
        claims: names,
        subjectTemplate: "c:{constructor}:t:{toString}",
        alphabets: { constructor: "a-z", toString: "a-z" },
        awsClaimKeys: ["valueOf", "hasOwnProperty"],
      };
      const subject = {
        constructor: "alpha",
        toString: "beta",
        valueOf: "gamma",
        hasOwnProperty: "delta",
      };
      const document = oneIdentity(issuer, [subject], grantsIn("aws", "gcp"));
      assert.deepStrictEqual(errors(document), []);
      const { verification } = verify(document);
      assert.ok(verification?.ok, JSON.stringify(verification?.divergences[0]));
      const token = { iss: "https://idp.example", sub: "c:alpha:t:beta", ...subject };
      const decisions = explain(document, token).explanation!.decisions;
      assert.deepStrictEqual(
        decisions.map((d) => d.allowed),
        [true, true],
      );
      // a token without them: nothing is read from Object.prototype
      const bare = explain(document, { iss: "https://idp.example", sub: "c:alpha:t:beta" });
      assert.deepStrictEqual(
        bare.explanation!.decisions.map((d) => d.allowed),
        [false, false],
      );
    });
  });

  it("defect 4: an oidc issuer without a template verifies selectors that do not name sub", () => {
    const issuer = { kind: "oidc", url: "https://idp.example", claims: ["team"] };
    const { verification } = verify(oneIdentity(issuer, [{ team: "platform" }], grantsIn("gcp")));
    assert.ok(verification, "the document compiles");
    assert.equal(verification.ok, true);
    assert.ok(verification.tokens > 10 && verification.grants[0]!.accepted >= 1);
  });

  describe("defect 5: the GCP evaluator models GCP, not its CEL library", () => {
    const { plan } = compiled(
      oneIdentity(
        { kind: "oidc", url: "https://idp.example", claims: ["team", "stage"] },
        [{ team: "platform", stage: { absent: true } }],
        grantsIn("gcp"),
      ),
    );
    const provider = plan.identities[0]!.grants[0]!.artefacts as GcpArtefacts;
    const audience = provider.allowedAudiences[0]!;
    const token = { iss: "https://idp.example", sub: "s", team: "platform" };

    it("reads a claim that is JSON null as present, as GCP's has() does", () => {
      assert.equal(evaluateProvider(provider, token, [audience]).allowed, true);
      const withNull = evaluateProvider(provider, { ...token, stage: null }, [audience]);
      assert.equal(withNull.allowed, false);
      assert.match(withNull.reason, /!has\(assertion\.stage\) does not hold/);
    });

    it("decides tokens with claims named toString or constructor", () => {
      const named = JSON.parse('{"toString":"x","constructor":"y","__proto__":"z"}') as Json;
      assert.equal(evaluateProvider(provider, { ...token, ...named }, [audience]).allowed, true);
    });
  });

  describe("defect 6: no needless refusals", () => {
    it("Buildkite: a tag pattern compiles to one exact glob on AWS", () => {
      const subject = {
        organization_slug: "acme",
        pipeline_slug: "deploy",
        build_tag: { pattern: "v*" },
      };
      const { ir, plan } = compiled(oneIdentity({ kind: "buildkite" }, [subject], grantsIn("aws")));
      assert.deepStrictEqual(trustPolicy(plan).Statement[0]!.Condition.StringLike, {
        "agent.buildkite.com:sub": "organization:acme:pipeline:deploy:ref:refs/tags/v*",
      });
      assert.equal(verifyPlan(ir, plan).ok, true);
    });

    it("GitHub: environment patterns whose literal holds A or 3 stay in sub", () => {
      for (const pattern of ["APAC-*", "release-3*"]) {
        const { plan } = compiled(
          oneIdentity(
            { kind: "github" },
            [{ repository: "acme/api", environment: { pattern } }],
            grantsIn("aws"),
          ),
        );
        assert.equal(
          trustPolicy(plan).Statement[0]!.Condition.StringLike?.[`${HOST}:sub`],
          `repo:acme/api:environment:${pattern}`,
        );
      }
    });
  });

  it("defect 7: refuses AWS condition keys with a second ':'", () => {
    const url = { kind: "kubernetes", url: "https://oidc.example/clusters/a:b" };
    assert.deepStrictEqual(
      errors(oneIdentity(url, [{ sub: "system:serviceaccount:a:b" }], grantsIn("aws"))),
      ["aws_condition_key_invalid identities[0].grants[0]"],
    );
    const key = {
      kind: "oidc",
      url: "https://idp.example",
      claims: ["team:name"],
      awsClaimKeys: ["team:name"],
    };
    assert.deepStrictEqual(errors(oneIdentity(key, [{ "team:name": "x" }], grantsIn("aws"))), [
      'aws_condition_key_invalid identities[0].subjects[0]["team:name"]',
    ]);
  });

  describe("defect 8: true messages at the right paths", () => {
    const circleci = { kind: "circleci", organizationId: "0f0e0d0c-0b0a-0908-0706-050403020100" };

    it("CircleCI: list and boolean claims are named as such; pipeline-definition-id is a claim", () => {
      assert.deepStrictEqual(
        errors(
          oneIdentity(circleci, [{ "oidc.circleci.com/ssh-rerun": "false" }], grantsIn("gcp")),
        ),
        ['claim_not_selectable identities[0].subjects[0]["oidc.circleci.com/ssh-rerun"]'],
      );
      const definition = {
        "oidc.circleci.com/pipeline-definition-id": "1a2b3c4d-0000-4000-8000-000000000000",
      };
      assert.deepStrictEqual(errors(oneIdentity(circleci, [definition], grantsIn("gcp"))), []);
    });

    it("explain: a non-string iss is described, never shown as an internal marker", () => {
      const document = oneIdentity({ kind: "github" }, [
        { repository: "acme/api", environment: "production" },
      ]);
      const reasons = explain(document, {
        iss: 5,
        sub: "repo:acme/api:environment:production",
      }).explanation!.decisions.map((d) => d.reason);
      assert.deepStrictEqual(reasons, [
        "the token's iss is a number (5), not a string, so STS finds no OIDC provider for it",
        "no federated credential has issuer a number (5), not a string",
        "the provider trusts issuer https://token.actions.githubusercontent.com, and the token's issuer is a number (5), not a string",
      ]);
      assert.ok(!reasons.join("").includes("\u0000"));
    });

    it("reports a value AWS cannot hold at the claim that holds it, and an audience at the audience", () => {
      // environment names are free text: only AWS refuses "${" in them (repository names cannot hold it)
      const subject = { repository: "acme/api", environment: "prod-${x}" };
      assert.deepStrictEqual(errors(oneIdentity({ kind: "github" }, [subject], grantsIn("aws"))), [
        "aws_policy_variable identities[0].subjects[0].environment",
      ]);
      const audience = [{ target: "aws-prod", audience: "aud-ä-€" }];
      assert.deepStrictEqual(
        errors(oneIdentity({ kind: "github" }, [{ repository: "acme/api" }], audience)),
        ["aws_character_unsupported identities[0].grants[0].audience"],
      );
    });
  });

  it("never emits a trust policy without sub for a shared issuer", () => {
    const document = oneIdentity(
      { kind: "github" },
      [{ sub: { pattern: "*" }, repository_owner_id: "4000001" }],
      grantsIn("aws"),
    );
    assert.deepStrictEqual(errors(document), ["aws_sub_required identities[0].subjects[0]"]);
  });
});
