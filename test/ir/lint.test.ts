import { strict as assert } from "node:assert";
import fc from "fast-check";
import { globMatch } from "../../lib/claims/glob";
import { analyse } from "../../lib/compile";
import { formatPath } from "../../lib/errors";
import { grantsIn, oneIdentity } from "../support/documents";
import type { TokenModel } from "../support/tokens";
import { githubModel, gitlabModel, selectors } from "../support/tokens";

type Json = Record<string, unknown>;

const GITHUB = { kind: "github" };
const GITLAB = { kind: "gitlab" };

/** `path: message` of the unsatisfiable_selector issues of one selector. */
function unsatisfiable(issuer: Json, selector: Json): string[] {
  return analyse(oneIdentity(issuer, [selector], grantsIn("gcp")))
    .issues.filter((i) => i.code === "unsatisfiable_selector")
    .map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** Whether a claim value satisfies a selector's matcher as written in the document. */
function accepts(matcher: unknown, value: string | undefined): boolean {
  if (typeof matcher === "string") return value === matcher;
  const m = matcher as { oneOf?: string[]; pattern?: string; absent?: true };
  if (m.absent) return value === undefined;
  if (value === undefined) return false;
  if (m.oneOf) return m.oneOf.includes(value);
  return globMatch(m.pattern!, value);
}

describe("lint: an owner that never leads its path", () => {
  const cases: [title: string, issuer: Json, selector: Json, flagged: boolean][] = [
    ["another owner", GITHUB, { repository_owner: "ACME", repository: "acme/api" }, true],
    ["the same owner", GITHUB, { repository_owner: "acme", repository: "acme/api" }, false],
    [
      "one of the repositories",
      GITHUB,
      { repository_owner: "acme", repository: { oneOf: ["x/a", "acme/b"] } },
      false,
    ],
    [
      "a pattern of another owner",
      GITHUB,
      { repository_owner: "ACME", repository: { pattern: "acme/*" } },
      true,
    ],
    [
      "a pattern the owner may lead",
      GITHUB,
      { repository_owner: "acme", repository: { pattern: "ac*" } },
      false,
    ],
    [
      "an owner pattern",
      GITHUB,
      { repository_owner: { pattern: "ac*" }, repository: "acme/api" },
      false,
    ],
    [
      "an owner pattern that cannot lead",
      GITHUB,
      { repository_owner: { pattern: "x*" }, repository: "acme/api" },
      true,
    ],
    [
      "two patterns (never judged)",
      GITHUB,
      { repository_owner: { pattern: "x*" }, repository: { pattern: "acme/*" } },
      false,
    ],
    [
      "a GitLab subgroup's project",
      GITLAB,
      { namespace_path: "acme/sub", project_path: "acme/sub/api" },
      false,
    ],
    [
      "a GitLab group above the namespace",
      GITLAB,
      { namespace_path: "acme", project_path: "acme/sub/api" },
      true,
    ],
    [
      "a GitLab pattern below a subgroup",
      GITLAB,
      { namespace_path: "acme", project_path: { pattern: "acme/sub/*" } },
      true,
    ],
    [
      "a GitLab pattern at the group",
      GITLAB,
      { namespace_path: "acme", project_path: { pattern: "acme/*" } },
      false,
    ],
  ];
  for (const [title, issuer, selector, flagged] of cases) {
    it(`${flagged ? "refuses" : "accepts"} ${title}`, () =>
      assert.equal(unsatisfiable(issuer, selector).length, flagged ? 1 : 0));
  }

  it("says which claims disagree, at the owner claim", () => {
    const selector = { repository_owner: "ACME", repository: { pattern: "acme/*" } };
    assert.deepEqual(unsatisfiable(GITHUB, selector), [
      `identities[0].subjects[0].repository_owner: no GitHub Actions token can match this selector: repository_owner = "ACME" is never what precedes the first '/' of repository like "acme/*"; make them agree`,
    ]);
  });

  /**
   * Soundness only: a refused selector matches none of the model's tokens (whose owner is always
   * their path's). Does not prove that every contradiction is found: two patterns never are.
   */
  const models: [string, Json, TokenModel, string, string][] = [
    ["GitHub", GITHUB, githubModel(), "repository_owner", "repository"],
    ["GitLab", GITLAB, gitlabModel(), "namespace_path", "project_path"],
  ];
  for (const [name, issuer, model, owner, path] of models) {
    it(`never refuses a ${name} selector some token matches`, () => {
      let refused = 0;
      fc.assert(
        fc.property(
          selectors(model, [owner, path]),
          fc.array(model.tokens, { minLength: 20, maxLength: 20 }),
          (selector, tokens) => {
            if (unsatisfiable(issuer, selector).length === 0) return;
            refused++;
            const matching = tokens.filter((t) =>
              Object.entries(selector).every(([claim, m]) => accepts(m, t[claim])),
            );
            assert.deepEqual(matching, [], JSON.stringify(selector));
          },
        ),
        { numRuns: 300 },
      );
      assert.ok(refused >= 10, `only ${refused} refused: the property tested little`);
    });
  }
});
