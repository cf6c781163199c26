import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { AzureArtefacts } from "../../lib/backends/azure/grant";
import type { MatcherInput } from "../../lib/claims/matcher";
import { matches, normalizeMatcher } from "../../lib/claims/matcher";
import { analyse } from "../../lib/compile";
import { formatPath } from "../../lib/errors";
import { AZURE_SCOPE, grantsIn, oneIdentity } from "../support/documents";
import type { TokenModel } from "../support/tokens";
import { githubModel } from "../support/tokens";

/** Selectors Azure can express: exact repository and either environment, or no environment and a ref or pull requests. */
function exactSelectors(model: TokenModel): fc.Arbitrary<Record<string, unknown>> {
  const exact = (claim: string) => {
    const values = model.values[claim]!.filter((v) => !/[*?]/.test(v));
    return fc.oneof(
      fc.constantFrom(...values),
      fc
        .uniqueArray(fc.constantFrom(...values), { minLength: 2, maxLength: 3 })
        .map((oneOf) => ({ oneOf })),
    );
  };
  const absent = { absent: true };
  return fc
    .record({
      repository: exact("repository"),
      context: fc.oneof(
        exact("environment").map((environment) => ({ environment })),
        exact("ref").map((ref) => ({ environment: absent, ref })),
        fc.constant({ environment: absent, event_name: "pull_request" }),
      ),
    })
    .map(({ repository, context }) => ({ repository, ...context }));
}

const GITHUB = { kind: "github" };
const ISSUER = "https://token.actions.githubusercontent.com";
const AUD = "api://AzureADTokenExchange";

function azureOf(subjects: object[], grant: object = {}, issuer: object = GITHUB): AzureArtefacts {
  const { plan, issues } = analyse(
    oneIdentity(issuer as never, subjects as never, [{ target: "azure-prod", ...grant }]),
  );
  assert.ok(plan, `unexpected issues: ${issues.map((i) => i.message).join("; ")}`);
  return plan.identities[0]!.grants[0]!.artefacts as AzureArtefacts;
}

function errorsOf(
  subjects: object[],
  grant: object = {},
  issuer: object = GITHUB,
): [string, string][] {
  return analyse(
    oneIdentity(issuer as never, subjects as never, [{ target: "azure-prod", ...grant }]),
  )
    .issues.filter((i) => i.severity === "error")
    .map((i) => [i.code, formatPath(i.path)]);
}

describe("azure backend", () => {
  it("writes one exact credential per subject", () => {
    const a = azureOf([
      { repository: "acme/api", environment: { oneOf: ["production", "staging"] } },
      { repository: "acme/api", ref: "refs/heads/main", environment: { absent: true } },
    ]);
    assert.deepStrictEqual(
      a.credentials.map((c) => [c.issuer, c.subject, c.audience]),
      [
        [ISSUER, "repo:acme/api:environment:production", AUD],
        [ISSUER, "repo:acme/api:environment:staging", AUD],
        [ISSUER, "repo:acme/api:ref:refs/heads/main", AUD],
      ],
    );
    for (const c of a.credentials) assert.match(c.name, /^[a-zA-Z0-9][a-zA-Z0-9-_]{2,119}$/);
  });

  it("keeps a credential's name when other subjects come and go", () => {
    const one = azureOf([{ repository: "acme/api", environment: "production" }]);
    const two = azureOf([
      { repository: "acme/api", environment: { oneOf: ["qa", "production"] } },
      { repository: "acme/web", environment: "production" },
    ]);
    const name = (a: AzureArtefacts, subject: string) =>
      a.credentials.find((c) => c.subject === subject)?.name;
    assert.equal(
      name(two, "repo:acme/api:environment:production"),
      name(one, "repo:acme/api:environment:production"),
    );
  });

  it("allows 20 credentials and refuses 21", () => {
    const envs = (n: number) => [
      {
        repository: "acme/api",
        environment: { oneOf: Array.from({ length: n }, (_, i) => `env-${i}`) },
      },
    ];
    assert.equal(azureOf(envs(20)).credentials.length, 20);
    assert.deepStrictEqual(errorsOf(envs(21)), [
      ["azure_too_many_credentials", "identities[0].subjects"],
    ]);
  });

  it("refuses a pattern, saying how to fix it", () => {
    const subjects = [
      { repository: "acme/api", ref: { pattern: "refs/tags/v*" }, environment: { absent: true } },
    ];
    assert.deepStrictEqual(errorsOf(subjects), [
      ["pattern_not_expressible", "identities[0].subjects[0]"],
    ]);
    const issue = analyse(
      oneIdentity(GITHUB as never, subjects as never, grantsIn("azure")),
    ).issues.find((i) => i.severity === "error")!;
    assert.equal(
      issue.message,
      'Azure federated credentials need exact subjects, but this selector accepts sub values such as "repo:acme/api:ref:refs/tags/v*"; pin every claim in it to exact values (oneOf lists several), since Azure has no wildcards',
    );
  });

  it("refuses a branch that environment jobs also match, and names environment: {absent: true} as the fix", () => {
    const subjects = [{ repository: "acme/api", ref: "refs/heads/main" }];
    // the sub of environment jobs is not exact either (any environment); the same fix cures both
    assert.deepStrictEqual(errorsOf(subjects), [
      ["claim_not_expressible", "identities[0].subjects[0].ref"],
      ["pattern_not_expressible", "identities[0].subjects[0]"],
    ]);
    const issue = analyse(
      oneIdentity(GITHUB as never, subjects as never, grantsIn("azure")),
    ).issues.find((i) => i.severity === "error")!;
    assert.equal(
      issue.message,
      "Azure federated credentials match only the exact sub, and the sub of a job with an environment does not carry ref (to make sub decide it, add environment: {absent: true} to leave out jobs with an environment, or pin environment); change the selector so sub decides it, or leave Azure out of this identity",
    );
  });

  it("refuses an environment whose ':' GitHub would write as %3A", () => {
    assert.deepStrictEqual(errorsOf([{ repository: "acme/api", environment: "prod:eu" }]), [
      ["claim_not_expressible", "identities[0].subjects[0].environment"],
      ["pattern_not_expressible", "identities[0].subjects[0]"],
    ]);
  });

  it("refuses values longer than 600 characters in a credential", () => {
    const long = `system:serviceaccount:ns:${"a".repeat(580)}`;
    assert.deepStrictEqual(
      errorsOf([{ sub: long }], {}, { kind: "kubernetes", url: "https://k8s.example.com" }),
      [["azure_value_too_long", "identities[0].subjects[0]"]],
    );
  });

  it("assigns built-in roles by name or GUID, with deterministic names", () => {
    const mg = "/providers/Microsoft.Management/managementGroups/platform";
    const grant = {
      roles: [
        { role: "contributor", scope: AZURE_SCOPE },
        { role: "4633458b-17de-408a-b874-0445c86b69e6", scope: mg },
      ],
    };
    const a = azureOf([{ repository: "acme/api", environment: "production" }], grant);
    assert.deepStrictEqual(
      a.roleAssignments.map((r) => [r.roleDefinitionId, r.scope, r.principalType]),
      [
        [
          "/subscriptions/00000000-0000-0000-0000-00000000000b/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
          AZURE_SCOPE,
          "ServicePrincipal",
        ],
        [
          "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
          mg,
          "ServicePrincipal",
        ],
      ],
    );
    const again = azureOf([{ repository: "acme/api", environment: "staging" }], grant);
    assert.deepStrictEqual(
      again.roleAssignments.map((r) => r.name),
      a.roleAssignments.map((r) => r.name),
    );
    for (const r of a.roleAssignments)
      assert.match(r.name, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("fails on an unknown role and on a scope that is not one", () => {
    const grant = {
      roles: [
        { role: "Contributer", scope: AZURE_SCOPE },
        { role: "Reader", scope: "resourceGroups/app" },
      ],
    };
    assert.deepStrictEqual(
      errorsOf([{ repository: "acme/api", environment: "production" }], grant),
      [
        ["azure_unknown_role", "identities[0].grants[0].roles[0].role"],
        ["azure_invalid_scope", "identities[0].grants[0].roles[1].scope"],
      ],
    );
  });

  /**
   * Azure admits a token when some credential equals its (iss, sub, aud) exactly; checked on
   * tokens from the independent GitHub model against the selectors' meaning. Does not prove
   * Entra compares exactly so (that is domain-facts §2.1), nor that it accepts the resources.
   */
  it("admits exactly the selected GitHub tokens", () => {
    const model = githubModel();
    let compiled = 0;
    fc.assert(
      fc.property(
        fc.array(exactSelectors(model), { minLength: 1, maxLength: 3 }),
        fc.array(model.tokens, { minLength: 25, maxLength: 25 }),
        (raw, tokens) => {
          const subjects = raw.map((s) => ({ ...s, repository_owner: "acme" }));
          const { plan } = analyse(oneIdentity(GITHUB, subjects, grantsIn("azure")));
          if (!plan) return;
          compiled++;
          const { credentials } = plan.identities[0]!.grants[0]!.artefacts as AzureArtefacts;
          for (const t of tokens) {
            const expected = subjects.some((s) =>
              Object.entries(s).every(([k, m]) =>
                matches(normalizeMatcher(m as MatcherInput), t[k]),
              ),
            );
            const admitted = credentials.some(
              (c) => c.issuer === ISSUER && c.subject === t.sub && c.audience === AUD,
            );
            assert.equal(admitted, expected, JSON.stringify({ subjects, t }));
          }
        },
      ),
      { numRuns: 400 },
    );
    assert.ok(compiled > 50, `too few selectors compiled: ${compiled}`);
  });
});
