import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { AwsArtefacts } from "../../lib/backends/aws/grant";
import type { TrustPolicy } from "../../lib/backends/aws/trust-policy";
import { issuerModel } from "../../lib/claims/issuers";
import { GITHUB_URL } from "../../lib/claims/issuers/github";
import { analyse } from "../../lib/compile";
import type { StsRequest } from "../../lib/backends/aws/evaluate";
import { evaluateTrustPolicy, stsRequest } from "../../lib/backends/aws/evaluate";
import { NOT_STRING } from "../../lib/inspect/token-claims";
import type { IssuerConfig } from "../../lib/intent/document";
import { grantsIn, oneIdentity } from "../support/documents";
import { simulate } from "../support/iam-simulate";
import { githubModel, selectors } from "../support/tokens";

const HOST = "token.actions.githubusercontent.com";
const PROVIDER = `arn:aws:iam::111111111111:oidc-provider/${HOST}`;
const OTHER_PROVIDER =
  "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com";
const ACTION = "sts:AssumeRoleWithWebIdentity";
const ACCOUNT = { partition: "aws", accountId: "111111111111" };
const GITHUB = issuerModel({ kind: "github" } as IssuerConfig);

const SUB = `${HOST}:sub`;
const AUD = `${HOST}:aud`;
const ENV = `${HOST}:environment`;

/** A trust policy of hand-written statements, beyond the shapes trustplane emits. */
const policy = (...Statement: object[]) =>
  ({ Version: "2012-10-17", Statement }) as unknown as TrustPolicy;

const allowIf = (Condition: object, extra: object = {}) => ({
  Effect: "Allow",
  Principal: { Federated: PROVIDER },
  Action: ACTION,
  Condition,
  ...extra,
});

const denyIf = (Condition: object) => ({ ...allowIf(Condition), Effect: "Deny" });

/** A request from PROVIDER with these condition keys (lowercased, as `stsRequest` builds them). */
const request = (context: Record<string, string>, principal = PROVIDER): StsRequest => ({
  principal,
  context: new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v])),
});

/**
 * Our verdict, after checking that iam-simulate reaches the same Allow/Deny on the same request:
 * every unit case below is a cross-check as well.
 */
function evaluate(p: TrustPolicy, r: StsRequest) {
  const verdict = evaluateTrustPolicy(p, r);
  assert.equal(simulate(p, r.principal, r.context), verdict.allowed, "iam-simulate disagrees");
  return verdict;
}

describe("aws trust policy evaluator", () => {
  /**
   * Exact reasons of the String operators, values OR'ed and keys AND'ed. Does not prove STS
   * itself reaches these verdicts: iam-simulate is a model of IAM as well.
   */
  describe("String operators", () => {
    const equals = policy(
      allowIf({
        StringEquals: {
          [AUD]: "sts.amazonaws.com",
          [SUB]: ["repo:acme/api:ref:refs/heads/main", "repo:acme/api:environment:production"],
        },
      }),
    );

    it("StringEquals: one value, several values OR'ed", () => {
      assert.deepStrictEqual(
        evaluate(
          equals,
          request({ [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/api:ref:refs/heads/main" }),
        ),
        {
          allowed: true,
          reason:
            'statement 1 allows it: aud "sts.amazonaws.com" (StringEquals), sub "repo:acme/api:ref:refs/heads/main" (StringEquals)',
        },
      );
      assert.equal(
        evaluate(
          equals,
          request({ [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/api:environment:production" }),
        ).allowed,
        true,
      );
      assert.deepStrictEqual(
        evaluate(
          equals,
          request({ [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/api:ref:refs/heads/dev" }),
        ),
        {
          allowed: false,
          reason: `sub "repo:acme/api:ref:refs/heads/dev" matched no value of StringEquals ${SUB} (allowed: "repo:acme/api:ref:refs/heads/main", "repo:acme/api:environment:production")`,
        },
      );
    });

    it("StringLike: * spans ':' and '/', ? is one character, values OR'ed", () => {
      const like = policy(
        allowIf({
          StringEquals: { [AUD]: "sts.amazonaws.com" },
          StringLike: {
            [SUB]: ["repo:acme/*:ref:refs/heads/main", "repo:acme/api:environment:prod?"],
          },
        }),
      );
      const verdict = (sub: string) =>
        evaluate(like, request({ [AUD]: "sts.amazonaws.com", [SUB]: sub }));
      assert.equal(verdict("repo:acme/api:ref:refs/heads/main").allowed, true);
      assert.equal(verdict("repo:acme/a/b:c:ref:refs/heads/main").allowed, true);
      assert.equal(verdict("repo:acme/api:environment:prod1").allowed, true);
      assert.equal(verdict("repo:acme/api:environment:prod").allowed, false);
      assert.equal(verdict("repo:acme/api:environment:prod12").allowed, false);
      assert.deepStrictEqual(verdict("repo:acme/api:pull_request"), {
        allowed: false,
        reason: `sub "repo:acme/api:pull_request" matched no value of StringLike ${SUB} (allowed: "repo:acme/*:ref:refs/heads/main", "repo:acme/api:environment:prod?")`,
      });
    });

    it("ANDs the keys of one operator and the operators of one statement", () => {
      const p = policy(
        allowIf({
          StringEquals: { [AUD]: "sts.amazonaws.com", [ENV]: "production" },
          StringLike: { [SUB]: "repo:acme/*" },
        }),
      );
      const base = { [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/api:environment:production" };
      assert.equal(evaluate(p, request({ ...base, [ENV]: "production" })).allowed, true);
      assert.deepStrictEqual(evaluate(p, request({ ...base, [ENV]: "staging" })), {
        allowed: false,
        reason: `environment "staging" matched no value of StringEquals ${ENV} (allowed: "production")`,
      });
      assert.deepStrictEqual(
        evaluate(p, request({ ...base, [ENV]: "production", [AUD]: "api://AzureADTokenExchange" })),
        {
          allowed: false,
          reason: `aud "api://AzureADTokenExchange" matched no value of StringEquals ${AUD} (allowed: "sts.amazonaws.com")`,
        },
      );
      assert.deepStrictEqual(
        evaluate(p, request({ ...base, [ENV]: "production", [SUB]: "repo:evil/api" })),
        {
          allowed: false,
          reason: `sub "repo:evil/api" matched no value of StringLike ${SUB} (allowed: "repo:acme/*")`,
        },
      );
      assert.deepStrictEqual(evaluate(p, request(base)), {
        allowed: false,
        reason: `the token has no environment, which StringEquals ${ENV} requires`,
      });
    });

    it("compares condition key names case-insensitively and values case-sensitively", () => {
      const p = policy(
        allowIf({ StringEquals: { "Token.Actions.GitHubUserContent.com:SUB": "repo:acme/api" } }),
      );
      assert.deepStrictEqual(evaluate(p, request({ [SUB]: "repo:acme/api" })), {
        allowed: true,
        reason: 'statement 1 allows it: SUB "repo:acme/api" (StringEquals)',
      });
      assert.deepStrictEqual(evaluate(p, request({ [SUB]: "repo:ACME/api" })), {
        allowed: false,
        reason:
          'SUB "repo:ACME/api" matched no value of StringEquals Token.Actions.GitHubUserContent.com:SUB ("repo:acme/api" differs only in case, and IAM compares values case-sensitively)',
      });
      const like = policy(allowIf({ StringLike: { [SUB]: "repo:acme/*" } }));
      assert.equal(evaluate(like, request({ [SUB]: "repo:Acme/api" })).allowed, false);
      const ignoreCase = policy(allowIf({ StringEqualsIgnoreCase: { [SUB]: "repo:acme/api" } }));
      assert.equal(evaluate(ignoreCase, request({ [SUB]: "REPO:Acme/API" })).allowed, true);
    });

    it("a failed condition names what it allows: 5 values and how many more, or a case-only twin", () => {
      const envs = ["dev", "qa", "staging", "uat", "perf", "production", "dr"];
      const many = policy(allowIf({ StringEquals: { [ENV]: envs } }));
      assert.deepStrictEqual(evaluate(many, request({ [ENV]: "sandbox" })), {
        allowed: false,
        reason: `environment "sandbox" matched no value of StringEquals ${ENV} (allowed: "dev", "qa", "staging", "uat", "perf" and 2 more)`,
      });
      assert.deepStrictEqual(evaluate(many, request({ [ENV]: "Production" })), {
        allowed: false,
        reason: `environment "Production" matched no value of StringEquals ${ENV} ("production" differs only in case, and IAM compares values case-sensitively)`,
      });
      const like = policy(allowIf({ StringLike: { [SUB]: ["repo:acme/*:environment:prod"] } }));
      assert.deepStrictEqual(evaluate(like, request({ [SUB]: "repo:Acme/api:environment:prod" })), {
        allowed: false,
        reason: `sub "repo:Acme/api:environment:prod" matched no value of StringLike ${SUB} ("repo:acme/*:environment:prod" differs only in case, and IAM compares values case-sensitively)`,
      });
      // IgnoreCase operators list their values: a case-only difference cannot be why they fail
      const ignoreCase = policy(allowIf({ StringEqualsIgnoreCase: { [ENV]: "production" } }));
      assert.deepStrictEqual(evaluate(ignoreCase, request({ [ENV]: "staging" })), {
        allowed: false,
        reason: `environment "staging" matched no value of StringEqualsIgnoreCase ${ENV} (allowed: "production")`,
      });
      const none = policy(allowIf({ StringEquals: { [ENV]: [] } }));
      assert.deepStrictEqual(evaluate(none, request({ [ENV]: "staging" })), {
        allowed: false,
        reason: `environment "staging" matched no value of StringEquals ${ENV} (it lists no value)`,
      });
    });

    it("treats a missing key as a match for StringNotEquals and StringNotLike only", () => {
      const not = (op: string) => policy(allowIf({ [op]: { [ENV]: ["staging", "dev*"] } }));
      for (const op of ["StringNotEquals", "StringNotLike"]) {
        assert.deepStrictEqual(evaluate(not(op), request({ [SUB]: "repo:acme/api" })), {
          allowed: true,
          reason: `statement 1 allows it: environment absent (${op})`,
        });
        assert.equal(evaluate(not(op), request({ [ENV]: "production" })).allowed, true);
        // several values of a negated operator are NOR'ed
        assert.deepStrictEqual(evaluate(not(op), request({ [ENV]: "staging" })), {
          allowed: false,
          reason: `environment "staging" matches "staging", which ${op} ${ENV} rules out`,
        });
      }
      assert.deepStrictEqual(evaluate(not("StringNotLike"), request({ [ENV]: "dev-1" })), {
        allowed: false,
        reason: `environment "dev-1" matches "dev*", which StringNotLike ${ENV} rules out`,
      });
      assert.equal(evaluate(not("StringNotLike"), request({ [ENV]: "dev-1" })).allowed, false);
      assert.equal(evaluate(not("StringNotEquals"), request({ [ENV]: "dev-1" })).allowed, true);
    });
  });

  /** Key presence operators. Does not prove how IAM reads Null values other than true/false. */
  describe("Null and IfExists", () => {
    it("Null true requires the key absent, Null false present", () => {
      const absent = policy(allowIf({ Null: { [ENV]: "true" } }));
      const present = policy(allowIf({ Null: { [ENV]: "false" } }));
      assert.deepStrictEqual(evaluate(absent, request({})), {
        allowed: true,
        reason: "statement 1 allows it: environment absent (Null)",
      });
      assert.deepStrictEqual(evaluate(absent, request({ [ENV]: "production" })), {
        allowed: false,
        reason: `the token carries environment, and Null ${ENV} requires it to be absent`,
      });
      assert.deepStrictEqual(evaluate(present, request({ [ENV]: "production" })), {
        allowed: true,
        reason: 'statement 1 allows it: environment "production" (Null)',
      });
      assert.deepStrictEqual(evaluate(present, request({})), {
        allowed: false,
        reason: `the token has no environment, and Null ${ENV} requires it`,
      });
      // an empty value is present
      assert.equal(evaluate(present, request({ [ENV]: "" })).allowed, true);
    });

    it("IfExists passes on a missing key and checks a present one", () => {
      for (const op of ["StringEqualsIfExists", "StringLikeIfExists"]) {
        const p = policy(allowIf({ [op]: { [ENV]: "prod*" } }));
        assert.deepStrictEqual(evaluate(p, request({})), {
          allowed: true,
          reason: `statement 1 allows it: environment absent (${op})`,
        });
        assert.deepStrictEqual(evaluate(p, request({ [ENV]: "staging" })), {
          allowed: false,
          reason: `environment "staging" matched no value of ${op} ${ENV} (allowed: "prod*")`,
        });
        assert.equal(evaluate(p, request({ [ENV]: "prod*" })).allowed, true);
        assert.equal(evaluate(p, request({ [ENV]: "production" })).allowed, op.includes("Like"));
      }
      const notIfExists = policy(allowIf({ StringNotEqualsIfExists: { [ENV]: "staging" } }));
      assert.equal(evaluate(notIfExists, request({})).allowed, true);
      assert.equal(evaluate(notIfExists, request({ [ENV]: "staging" })).allowed, false);
    });
  });

  /** Statement-level logic. Does not cover NotAction, NotPrincipal or Principal "*". */
  describe("statements", () => {
    it("ORs the Allow statements and lists why each failed", () => {
      const p = policy(
        allowIf({ StringEquals: { [SUB]: "repo:acme/api:ref:refs/heads/main" } }),
        allowIf({ StringLike: { [SUB]: "repo:acme/web:*" } }),
      );
      assert.deepStrictEqual(evaluate(p, request({ [SUB]: "repo:acme/web:pull_request" })), {
        allowed: true,
        reason: 'statement 2 allows it: sub "repo:acme/web:pull_request" (StringLike)',
      });
      assert.deepStrictEqual(evaluate(p, request({ [SUB]: "repo:acme/db:pull_request" })), {
        allowed: false,
        reason: `statement 1: sub "repo:acme/db:pull_request" matched no value of StringEquals ${SUB} (allowed: "repo:acme/api:ref:refs/heads/main"); statement 2: sub "repo:acme/db:pull_request" matched no value of StringLike ${SUB} (allowed: "repo:acme/web:*")`,
      });
    });

    it("lets an explicit Deny win over any Allow", () => {
      const p = policy(
        allowIf({ StringLike: { [SUB]: "repo:acme/*" } }),
        denyIf({ StringLike: { [SUB]: "*:pull_request" } }),
      );
      assert.equal(
        evaluate(p, request({ [SUB]: "repo:acme/api:ref:refs/heads/main" })).allowed,
        true,
      );
      assert.deepStrictEqual(evaluate(p, request({ [SUB]: "repo:acme/api:pull_request" })), {
        allowed: false,
        reason: "statement 2 explicitly denies the request",
      });
      // a Deny that does not apply leaves no Allow to explain
      assert.deepStrictEqual(
        evaluate(policy(denyIf({ Null: { [ENV]: "true" } })), request({ [ENV]: "x" })),
        {
          allowed: false,
          reason: "no statement allows sts:AssumeRoleWithWebIdentity",
        },
      );
    });

    it("denies another OIDC provider and another action", () => {
      const p = policy(allowIf({ StringEquals: { [AUD]: "sts.amazonaws.com" } }));
      const aud = { [AUD]: "sts.amazonaws.com" };
      assert.deepStrictEqual(evaluate(p, request(aud, OTHER_PROVIDER)), {
        allowed: false,
        reason: `the role trusts ${PROVIDER}, and the token's issuer is ${OTHER_PROVIDER}`,
      });
      assert.equal(
        evaluate(
          policy(allowIf({}, { Principal: { Federated: [OTHER_PROVIDER, PROVIDER] } })),
          request(aud),
        ).allowed,
        true,
      );
      assert.deepStrictEqual(
        evaluate(policy(allowIf({}, { Action: "sts:AssumeRoleWithSAML" })), request(aud)),
        { allowed: false, reason: "the statement does not allow sts:AssumeRoleWithWebIdentity" },
      );
      for (const Action of ["sts:*", "*", ["sts:TagSession", ACTION]]) {
        assert.equal(evaluate(policy(allowIf({}, { Action })), request(aud)).allowed, true);
      }
    });
  });

  /**
   * The request STS builds from a token. Does not prove which claims STS really exposes: the
   * list of GitHub keys is trustplane's, from the AWS docs.
   */
  it("stsRequest: the provider ARN from iss, sub and aud, and only the issuer's STS claim keys", () => {
    const r = stsRequest(
      GITHUB,
      GITHUB_URL,
      {
        iss: GITHUB_URL,
        sub: "repo:acme/api:environment:production",
        aud: "ignored",
        environment: "production",
        repository_owner: "acme",
        repository_id: 900,
      },
      "sts.amazonaws.com",
      ACCOUNT,
    );
    assert.equal(r.principal, PROVIDER);
    assert.deepStrictEqual(
      [...r.context],
      [
        [AUD, "sts.amazonaws.com"],
        [SUB, "repo:acme/api:environment:production"],
        [ENV, "production"],
        // a JSON number is present, and satisfies no String operator
        [`${HOST}:repository_id`, NOT_STRING],
      ],
    );
  });

  /**
   * Known disagreements with the AWS documentation. These tests FAIL on purpose until
   * lib/backends/aws/evaluate.ts is fixed; the generated cross-checks below stay clear of both shapes.
   */
  describe("documented IAM behaviour lib/backends/aws/evaluate.ts misses", () => {
    /**
     * "If a single condition operator includes multiple values for a context key, those values
     * are evaluated using a logical OR" (IAM User Guide, reference_policies_condition-logic-
     * multiple-context-keys-or-values). Null is no exception, so Null: [true, false] holds
     * whether or not the key is present. Ours reads any "true" as "must be absent".
     * trustplane never emits this shape, so explain/verify on compiled plans are unaffected.
     */
    it("Null with both values holds whether or not the key is present", () => {
      const p = policy(allowIf({ Null: { [ENV]: ["true", "false"] } }));
      assert.equal(simulate(p, PROVIDER, request({ [ENV]: "production" }).context), true);
      assert.equal(evaluateTrustPolicy(p, request({ [ENV]: "production" })).allowed, true);
    });

    /**
     * "The prefix and the action name are case insensitive" and may hold * and ? wildcards
     * (reference_policies_elements_action). Ours accepts only the exact name, sts:* and *.
     * trustplane emits the exact name, so compiled plans are unaffected.
     */
    it("matches action names case-insensitively and with wildcards", () => {
      for (const Action of [
        "sts:assumerolewithwebidentity",
        "STS:AssumeRoleWith*",
        "sts:AssumeRole*",
      ]) {
        const p = policy(allowIf({}, { Action }));
        assert.equal(simulate(p, PROVIDER, new Map()), true, Action);
        assert.equal(evaluateTrustPolicy(p, request({})).allowed, true, Action);
      }
    });
  });

  /**
   * Trust policies trustplane compiles from random GitHub documents (owner pinned by
   * repository_owner_id, AWS grant only), evaluated on random model tokens with the right or a
   * near-miss audience and issuer: 250 documents × 24 tokens = 6,000 pairs, ours against
   * iam-simulate. Does not prove that the policies admit the intended tokens (that is the
   * backend test's job), nor that STS agrees with either evaluator.
   */
  it("agrees with iam-simulate on compiled policies (6,000 policy × token pairs)", () => {
    const model = githubModel();
    const audiences = fc.oneof(
      { weight: 4, arbitrary: fc.constant("sts.amazonaws.com") },
      fc.constantFrom(
        "STS.amazonaws.com",
        "sts.amazonaws.com ",
        "sts.amazonaws.co",
        "sts.amazonaws.*",
        "api://AzureADTokenExchange",
      ),
    );
    const issuers = fc.oneof(
      { weight: 6, arbitrary: fc.constant(GITHUB_URL) },
      fc.constant(`${GITHUB_URL}/acme`),
    );
    const stats = { compiled: 0, pairs: 0, allowed: 0 };
    fc.assert(
      fc.property(
        fc.array(selectors(model), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(model.tokens, audiences, issuers), { minLength: 24, maxLength: 24 }),
        (raw, tokens) => {
          const subjects = raw.map((s) => ({ ...s, repository_owner_id: "100" }));
          const { plan } = analyse(oneIdentity({ kind: "github" }, subjects, grantsIn("aws")));
          // about half the documents select a claim AWS cannot check (claim_not_expressible)
          // or nothing at all; fast-check draws others in their place
          fc.pre(plan !== undefined);
          if (!plan) return;
          stats.compiled++;
          const trust = (plan.identities[0]!.grants[0]!.artefacts as AwsArtefacts).trustPolicy;
          for (const [token, aud, iss] of tokens) {
            const r = stsRequest(GITHUB, iss, { ...token, iss, aud }, aud, ACCOUNT);
            const ours = evaluateTrustPolicy(trust, r).allowed;
            stats.pairs++;
            if (ours) stats.allowed++;
            assert.equal(
              simulate(trust, r.principal, r.context),
              ours,
              JSON.stringify({ trust, principal: r.principal, context: [...r.context] }),
            );
          }
        },
      ),
      { numRuns: 250 },
    );
    assert.equal(stats.compiled, 250);
    assert.equal(stats.pairs, 6000);
    // both verdicts must be common, or the agreement says little
    assert.ok(stats.allowed > stats.pairs / 20, JSON.stringify(stats));
    assert.ok(stats.allowed < stats.pairs / 2, JSON.stringify(stats));
  });

  /**
   * Hand-made random policies beyond what trustplane emits — Allow and Deny statements, the six
   * String operators with and without IfExists, Null — over four keys in mixed case, on random
   * contexts where each key may be absent: 700 policies × 10 contexts = 7,000 pairs. Values are
   * short strings over a small Latin-1 alphabet (with * and ?, literal in a context), so equal,
   * glob-matching and case-folded values are common.
   *
   * Left out: `$` (a policy variable to IAM, refused by trustplane); line breaks (iam-simulate
   * deviates, see the last test); Null with several values and action spellings other than the
   * exact name (ours deviates, see above); Null values other than "true"/"false" (undocumented;
   * iam-simulate reads them case-insensitively); ForAnyValue/ForAllValues (the keys are
   * single-valued). Where the docs are silent: the IgnoreCase operators fold case with a JS
   * RegExp `i` flag in iam-simulate and with toLowerCase in ours — the same on this alphabet
   * (é/É), but AWS documents no folding rule beyond ASCII. Does not prove either evaluator right
   * where both are wrong alike.
   */
  it("agrees with iam-simulate on random hand-made policies (7,000 policy × context pairs)", () => {
    const value = fc.string({
      unit: fc.constantFrom("a", "b", "A", "é", "É", ":", "/", "*", "?"),
      maxLength: 4,
    });
    const values = fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }));
    const claims = ["sub", "aud", "environment", "ref"];
    const policyKey = fc
      .tuple(fc.constantFrom(...claims), fc.constantFrom("lower", "upper", "mixed"))
      .map(([claim, spelling]) =>
        spelling === "lower"
          ? `${HOST}:${claim}`
          : spelling === "upper"
            ? `${HOST}:${claim}`.toUpperCase()
            : `Token.Actions.GitHubUserContent.com:${claim[0]!.toUpperCase()}${claim.slice(1)}`,
      );
    const stringOperator = fc
      .tuple(
        fc.constantFrom(
          "StringEquals",
          "StringNotEquals",
          "StringEqualsIgnoreCase",
          "StringNotEqualsIgnoreCase",
          "StringLike",
          "StringNotLike",
        ),
        fc.boolean(),
      )
      .map(([op, ifExists]) => (ifExists ? `${op}IfExists` : op));
    const block = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.tuple(
          stringOperator,
          fc.dictionary(policyKey, values, { minKeys: 1, maxKeys: 2 }),
        ),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(
          fc.constant("Null"),
          fc.dictionary(policyKey, fc.constantFrom("true", "false"), { minKeys: 1, maxKeys: 2 }),
        ),
      },
    );
    const statement = fc.record({
      Effect: fc.constantFrom("Allow", "Allow", "Allow", "Deny"),
      Principal: fc.record({
        Federated: fc.constantFrom(PROVIDER, PROVIDER, PROVIDER, OTHER_PROVIDER, [
          OTHER_PROVIDER,
          PROVIDER,
        ]),
      }),
      Action: fc.constantFrom(
        ACTION,
        ACTION,
        ACTION,
        "sts:*",
        "*",
        ["sts:TagSession", ACTION],
        "sts:AssumeRole",
      ),
      Condition: fc.array(block, { maxLength: 3 }).map((bs) => Object.fromEntries(bs)),
    });
    const context = fc
      .tuple(...claims.map(() => fc.option(value, { nil: undefined, freq: 3 })))
      .map((vs) => {
        const c = new Map<string, string>();
        vs.forEach((v, i) => v !== undefined && c.set(`${HOST}:${claims[i]}`, v));
        return c;
      });
    const stats = { pairs: 0, allowed: 0, explicitDeny: 0 };
    fc.assert(
      fc.property(
        fc.array(statement, { minLength: 1, maxLength: 3 }),
        fc.array(context, { minLength: 10, maxLength: 10 }),
        (statements, contexts) => {
          const p = policy(...statements);
          for (const c of contexts) {
            const verdict = evaluateTrustPolicy(p, { principal: PROVIDER, context: c });
            stats.pairs++;
            if (verdict.allowed) stats.allowed++;
            if (verdict.reason.endsWith("explicitly denies the request")) stats.explicitDeny++;
            assert.equal(
              simulate(p, PROVIDER, c),
              verdict.allowed,
              JSON.stringify({ policy: p, context: [...c], ours: verdict }),
            );
          }
        },
      ),
      { numRuns: 700 },
    );
    assert.equal(stats.pairs, 7000);
    assert.ok(stats.allowed > 500 && stats.allowed < 6500, JSON.stringify(stats));
    assert.ok(stats.explicitDeny > 100, JSON.stringify(stats));
  });

  /**
   * A deviation of iam-simulate from the docs, pinned so that a fix upstream is noticed: it turns
   * StringLike's `*` and `?` into the regular expressions `.*?` and `.` without the `s` flag, so
   * they never match a line break, while the docs define `*` as "any combination of characters"
   * and `?` as any single character. The generated pairs below hold no line breaks.
   */
  it("iam-simulate (not ours) stops StringLike wildcards at a line break", () => {
    const p = policy(allowIf({ StringLike: { [ENV]: ["a*", "x?y"] } }));
    for (const env of ["a\nb", "x\ny", "a\rb"]) {
      assert.equal(evaluateTrustPolicy(p, request({ [ENV]: env })).allowed, true);
      assert.equal(simulate(p, PROVIDER, request({ [ENV]: env }).context), false);
    }
  });
});
