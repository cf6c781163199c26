import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseCel } from "@bufbuild/cel";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { formatPlan } from "../lib/cli/format";
import { run } from "../lib/cli/main";
import { analyse, compile } from "../lib/compile";
import { TrustplaneError } from "../lib/errors";
import type { IdentityPlan, Plan } from "../lib/plan/types";
import { ALL_GRANTS, TARGETS } from "./support/documents";
import { golden } from "./support/golden";
import { githubModel, selectors } from "./support/tokens";

const EXAMPLES = join(__dirname, "..", "examples");
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));

function load(file: string): unknown {
  return parseYaml(readFileSync(join(EXAMPLES, file), "utf8"));
}

/** Every (type, name) a plan creates, each once. */
function resources(plan: Plan): string[] {
  const all = plan.identities.flatMap((i) =>
    i.grants.flatMap((g) => g.resources.map((r) => `${r.type} ${r.name}`)),
  );
  return [...new Set(all)].sort();
}

describe("compile", () => {
  describe("examples", () => {
    it("finds the examples", () => assert.ok(examples.length >= 6, examples.join(", ")));
    for (const file of examples) {
      it(`compiles ${file} without errors, to its golden plan`, () => {
        const { plan } = compile(load(file));
        golden(`${file.replace(/\.yaml$/, "")}.plan.json`, `${JSON.stringify(plan, null, 2)}\n`);
      });
    }
    it("prints the platform example as the README shows it", () => {
      golden("platform.plan.txt", `${formatPlan(compile(load("platform.yaml")).plan)}\n`);
    });
    it("explains the README's feature-branch token as the README shows it", async () => {
      const lines: string[] = [];
      const token = join(EXAMPLES, "tokens", "feature-branch-push.json");
      const code = await run(
        ["explain", join(EXAMPLES, "platform.yaml"), "--token", token],
        (s) => lines.push(s),
        (s) => lines.push(s),
      );
      assert.equal(code, 0);
      golden("feature-branch-push.explain.txt", `${lines.join("\n")}\n`);
    });
  });

  it("throws one error listing every problem, before anything else", () => {
    const document = {
      version: 1,
      issuers: { gh: { kind: "github" } },
      targets: TARGETS,
      identities: [
        {
          name: "a",
          issuer: "nope",
          subjects: [{ repository: "acme/api" }],
          grants: [{ target: "aws-prod" }],
        },
        {
          name: "b",
          issuer: "gh",
          subjects: [{ repository: "acme/api", branch: "main" }],
          grants: [{ target: "mars" }],
        },
      ],
    };
    assert.throws(
      () => compile(document),
      (e: unknown) =>
        e instanceof TrustplaneError &&
        e.issues.map((i) => i.code).join(",") === "unknown_issuer,unknown_target,unknown_claim" &&
        e.message.startsWith(
          'the intent has 3 errors:\n✖ unknown_issuer: no issuer is named "nope"; declared issuers: gh',
        ),
    );
  });

  /**
   * A GitHub document with random selectors (owner pinned) granted in AWS and GCP, which can
   * express most of them (Azure refuses most random ones; its own tests cover it).
   */
  const grants = ALL_GRANTS.filter((g) => !g.target.startsWith("azure"));
  // repository, ref and IDs are in every token, so {absent: true} on them only makes errors
  const present = (s: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(s).filter(
        ([k, m]) => k === "environment" || !(typeof m === "object" && m !== null && "absent" in m),
      ),
    );
  const documents = fc
    .array(
      fc.record({
        subjects: fc.array(
          selectors(githubModel(), ["repository", "ref", "environment", "repository_id"]),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        name: fc.constantFrom("deploy", "release", "plan", "web", "api", "ops"),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((identities) => ({
      version: 1,
      issuers: { gh: { kind: "github" } },
      targets: TARGETS,
      identities: identities
        .filter((x, i) => identities.findIndex((y) => y.name === x.name) === i)
        .map(({ name, subjects }) => ({
          name,
          issuer: "gh",
          subjects: subjects.map((s) => ({ ...present(s), repository_owner_id: "100" })),
          grants,
        })),
    }));

  it("gives the same artefacts whatever the order of selectors and of their claims", () => {
    fc.assert(
      fc.property(documents, (document) => {
        const shuffled = {
          ...document,
          identities: document.identities.map((i) => ({
            ...i,
            subjects: [...i.subjects]
              .reverse()
              .map((s) => Object.fromEntries(Object.entries(s).reverse())),
          })),
        };
        const [a, b] = [analyse(shuffled), analyse(document)];
        // `accepts` repeats the selectors in the document's order, for people; nothing else may move
        const artefacts = (x: typeof a) =>
          x.plan?.identities.map(({ accepts, ...rest }) => ({
            ...rest,
            accepts: [...accepts].sort(),
          }));
        assert.deepStrictEqual(artefacts(a), artefacts(b));
        // issues point at selectors by position, which the shuffle moves; their codes stay
        const codes = (x: typeof a) => x.issues.map((i) => i.code).sort();
        assert.deepStrictEqual(codes(a), codes(b));
      }),
      { numRuns: 200 },
    );
  });

  it("never renames another identity's resources when identities are added or reordered", () => {
    fc.assert(
      fc.property(documents, documents, (base, extra) => {
        const before = analyse(base).plan;
        const names = new Set(base.identities.map((i) => i.name));
        const added = extra.identities.filter((i) => !names.has(i.name));
        const after = analyse({
          ...base,
          identities: [...added, ...base.identities].reverse(),
        }).plan;
        if (!before || !after) return;
        for (const identity of before.identities) {
          const again: IdentityPlan = after.identities.find((i) => i.name === identity.name)!;
          assert.deepStrictEqual(
            again.grants.map((g) => g.resources),
            identity.grants.map((g) => g.resources),
          );
        }
        for (const r of resources(before)) assert.ok(resources(after).includes(r), r);
      }),
      { numRuns: 150 },
    );
  });

  it("checks aud and sub in every AWS statement, and parses every GCP condition naming the owner", () => {
    let checked = 0;
    fc.assert(
      fc.property(documents, (document) => {
        const { plan } = analyse(document);
        if (!plan) return;
        checked++;
        for (const grant of plan.identities.flatMap((i) => i.grants)) {
          if (grant.cloud === "aws") {
            for (const s of grant.artefacts.trustPolicy.Statement) {
              const keys = Object.values(s.Condition).flatMap((k) => Object.keys(k ?? {}));
              assert.ok(
                keys.some((k) => k.endsWith(":aud")) && keys.some((k) => k.endsWith(":sub")),
                JSON.stringify(s),
              );
            }
          }
          if (grant.cloud === "gcp") {
            const condition = grant.artefacts.attributeCondition;
            parseCel(condition);
            for (const expression of Object.values(grant.artefacts.attributeMapping))
              parseCel(expression);
            assert.match(condition, /assertion\.repository_owner_id == '100'/);
          }
        }
      }),
      { numRuns: 200 },
    );
    assert.ok(checked > 50, `too few documents compiled: ${checked}`);
  });
});
