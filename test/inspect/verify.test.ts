// `verify`, the differential check of every cloud's compiled artefacts against the intent: the
// examples verify, random intents verify, mutated tokens are never let in behind the intent's
// back, tampered plans are caught, and the CLI reports it all.
//
// What these tests do NOT prove:
// - that AWS, Azure and GCP decide as lib/inspect evaluates them: every decision here comes from
//   trustplane's own evaluators (its IAM condition evaluator, exact credential matching, CEL via
//   @bufbuild/cel), so a misreading of a cloud shared by backend and evaluator goes unnoticed;
// - that the intent means what its author meant: `intentAccepts` is the oracle, and it is read
//   from the same IR the backends compile;
// - that verify catches every wrong artefact: it only tries its corpus (selector instances and
//   their adversarial neighbours), and the tamper tests below show one widening it misses;
// - anything about real tokens: the tokens are minted from each issuer's sample claims and the
//   random documents draw from small value pools (test/support/tokens.ts);
// - the numbers in the titles on another machine or seed: they are what this run exercised.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import type { AwsArtefacts } from "../../lib/backends/aws/grant";
import type { FederatedCredential } from "../../lib/backends/azure/credentials";
import type { GcpArtefacts } from "../../lib/backends/gcp/grant";
import { claimSpec } from "../../lib/claims/issuer";
import type { Cloud } from "../../lib/backends/cloud";
import { renderSubject } from "../../lib/claims/subject";
import { cli } from "../support/cli";
import { compileDocument } from "../../lib/compile";
import type { TokenClaims } from "../../lib/inspect/token-claims";
import { audiencesOf, intentAccepts } from "../../lib/inspect/token-claims";
import { corpus } from "../../lib/inspect/corpus";
import { evaluateGrant } from "../../lib/inspect/explain";
import type { Divergence, Verification } from "../../lib/inspect/verify";
import { verify, verifyPlan } from "../../lib/inspect/verify";
import type { IdentityIR } from "../../lib/ir/types";
import type { GrantPlan, Plan } from "../../lib/plan/types";
import { TARGETS } from "../support/documents";
import { compiled, documents } from "../support/random-documents";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));

function load(file: string): unknown {
  return parseYaml(readFileSync(join(EXAMPLES, file), "utf8"));
}

/** One divergence, short enough for an assertion message. */
function describeDivergence(d: Divergence): string {
  const token = JSON.stringify(d.token);
  return `${d.identity} → ${d.target} (${d.cloud}): intent ${d.intent}, cloud ${d.allowed} on ${d.origin}: ${d.reason}\n  token ${token.length > 600 ? `${token.slice(0, 600)}…` : token}`;
}

/** The audience check verify applies: a token without aud is taken to carry the grant's. */
function audienceFits(grant: GrantPlan, claims: TokenClaims): boolean {
  return (audiencesOf(claims) ?? [grant.audience]).includes(grant.audience);
}

/** Grants whose corpus held no token the intent accepts: the check proved nothing for them. */
function vacuous(v: Verification): string[] {
  return v.grants.filter((g) => g.accepted === 0).map((g) => `${g.identity} → ${g.target}`);
}

// --- mutations --------------------------------------------------------------------------------

/** One change to one claim of a token, drawn from what an attacker would try. */
type Mutation =
  | { readonly kind: "remove" }
  | { readonly kind: "set"; readonly value: string }
  | { readonly kind: "edit"; readonly edit: (v: string) => string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Mutation>({ kind: "remove" }) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "",
          ":",
          "%3A",
          "acme",
          "ACME",
          "\u0430cme",
          "acme\u200b",
          "prod:eu",
          "refs/heads/main",
          "repo:acme/api:environment:production",
          "system:serviceaccount:payments:api",
          "https://token.actions.githubusercontent.com",
          "sts.amazonaws.com",
          "api://AzureADTokenExchange",
        ),
        fc.string({ unit: "grapheme", maxLength: 12 }),
        fc.string({
          unit: fc.constantFrom("a", "A", ":", "%", "3", "/", "*", "\u0435"),
          maxLength: 8,
        }),
      )
      .map((value): Mutation => ({ kind: "set", value })),
  },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom<[string, (v: string) => string]>(
        ["upper", (v) => v.toUpperCase()],
        ["lower", (v) => v.toLowerCase()],
        ["capitalise", (v) => v.charAt(0).toUpperCase() + v.slice(1)],
        ["append :x", (v) => `${v}:x`],
        ["append %3Ax", (v) => `${v}%3Ax`],
        [": as %3A", (v) => v.replaceAll(":", "%3A")],
        ["%3A as :", (v) => v.replaceAll("%3A", ":")],
        [
          "cyrillic",
          (v) => v.replace(/[aeo]/, (c) => ({ a: "\u0430", e: "\u0435", o: "\u043e" })[c]!),
        ],
        ["suffix", (v) => `${v}-evil`],
        ["prefix", (v) => `evil-${v}`],
        ["drop last", (v) => v.slice(0, -1)],
        ["trailing space", (v) => `${v} `],
      )
      .map(([, edit]): Mutation => ({ kind: "edit", edit })),
  },
);

function mutate(claims: TokenClaims, claim: string, m: Mutation): Record<string, unknown> {
  const out: Record<string, unknown> = { ...claims };
  const value = claims[claim];
  if (m.kind === "remove") delete out[claim];
  else if (m.kind === "set") out[claim] = m.value;
  else out[claim] = m.edit(typeof value === "string" ? value : JSON.stringify(value ?? ""));
  return out;
}

/**
 * The token as the issuer would mint it after `claim` changed: its invariants restored (GitHub:
 * the owner is the repository's) and sub rewritten; undefined when no issuer mints it.
 */
function reminted(
  identity: IdentityIR,
  claims: Record<string, unknown>,
  claim: string,
): Record<string, unknown> | undefined {
  const { issuer } = identity;
  if (!issuer.subject) return claims;
  const strings = Object.fromEntries(
    Object.entries(claims).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  if (issuer.restoreInvariants && !issuer.restoreInvariants(strings, new Set([claim])))
    return undefined;
  const sub = renderSubject(issuer.subject, strings, (c) => claimSpec(issuer, c));
  return sub === undefined ? undefined : { ...claims, ...strings, sub };
}

describe("verify", () => {
  describe("examples", () => {
    it("finds the examples", () => assert.ok(examples.length >= 6, examples.join(", ")));
    for (const file of examples) {
      it(`verifies ${file}: no divergence, and every grant tried a token the intent accepts`, () => {
        const { verification, issues } = verify(load(file));
        assert.ok(verification, issues.map((i) => i.message).join("; "));
        assert.deepStrictEqual(verification.divergences.map(describeDivergence), []);
        for (const g of verification.grants) {
          assert.ok(g.accepted >= 1, `${g.identity} → ${g.target} tried no accepted token`);
          assert.equal(g.agreed, g.tried);
        }
        assert.equal(verification.ok, true);
      });
    }
  });

  /**
   * Random documents, compiled and verified. Does not prove that verify would catch a wrong
   * artefact in them (the tamper tests do that for a few); only that trustplane's artefacts and
   * its intent agree on every corpus token.
   */
  it("random intents verify with zero divergences", function () {
    let runs = 0;
    let refusedDocuments = 0;
    let refusedGrants = 0;
    let intents = 0;
    let tokens = 0;
    let decisions = 0;
    const clouds = new Set<Cloud>();
    const failures: string[] = [];
    const classes = new Set<string>();
    const empty: string[] = [];
    fc.assert(
      fc.property(documents, (g) => {
        runs++;
        refusedGrants += g.refusedGrants;
        const c = compiled(g);
        if (!c) {
          refusedDocuments++;
          return;
        }
        const v = verifyPlan(c.ir, c.plan);
        intents += c.ir.identities.length;
        tokens += v.tokens;
        for (const grant of v.grants) {
          decisions += grant.tried;
          clouds.add(grant.cloud);
        }
        if (v.divergences.length > 0) {
          const d = v.divergences[0]!;
          const kind = c.ir.identities.find((i) => i.name === d.identity)!.issuer.kind;
          classes.add(`${kind} ${d.cloud}: ${d.reason.replace(/\d+/g, "N").slice(0, 70)}`);
          failures.push(
            `${describeDivergence(d)}\n  document ${JSON.stringify(g.document.identities)}`,
          );
        } else if (!v.ok) {
          empty.push(`${vacuous(v).join(", ")} in ${JSON.stringify(g.document.identities)}`);
        }
      }),
      { numRuns: 120 },
    );
    this.test!.title = `random intents verify with zero divergences (${intents} intents in ${runs - refusedDocuments} of ${runs} documents, ${tokens} tokens, ${decisions} decisions; ${refusedGrants} grants refused at compile)`;
    assert.ok(runs - refusedDocuments >= 0.4 * runs, `only ${runs - refusedDocuments} compiled`);
    assert.deepStrictEqual([...clouds].sort(), ["aws", "azure", "gcp"]);
    assert.ok(tokens >= 5000, `only ${tokens} tokens`);
    assert.equal(
      failures.length,
      0,
      `${failures.length} documents diverge, as: ${[...classes].join(" | ")}; the first three:\n${failures.slice(0, 3).join("\n")}`,
    );
    // a selector no issuer can satisfy compiles, and verify then says it proved nothing
    assert.ok(empty.length <= 0.2 * runs, `too many unwitnessed grants:\n${empty.join("\n")}`);
  });

  /**
   * The smallest documents that show what the random documents found. Each is valid, and
   * `verify` reports it NOT VERIFIED: these tests FAIL until lib/ changes (see the report).
   */
  describe("divergences the random intents found", () => {
    const divergencesOf = (document: unknown) => {
      const { verification, issues } = verify(document);
      assert.ok(verification, issues.map((i) => i.message).join("; "));
      return verification.divergences.map(describeDivergence);
    };
    const doc = (issuers: object, identities: object[]) =>
      structuredClone({ version: 1, issuers, targets: TARGETS, identities });
    const gcpGrant = [{ target: "gcp-prod", roles: ["roles/viewer"] }];

    // GCP's short subject for HCP Terraform reads terraform_run_phase, which the corpus makes
    // 1,100 characters long: the fallback is itself over 127 bytes and GCP refuses the token
    it("HCP Terraform on GCP: a run of any phase of one workspace, or a plan of any workspace", () => {
      const document = doc({ tfc: { kind: "terraform-cloud" } }, [
        {
          name: "network",
          issuer: "tfc",
          subjects: [
            { terraform_organization_name: "acme", terraform_workspace_name: "prod" },
            { terraform_organization_name: "acme", terraform_run_phase: "plan" },
          ],
          grants: gcpGrant,
        },
      ]);
      assert.deepStrictEqual(divergencesOf(document), []);
    });

    // GCP's short subject for GitHub reads repository_id, which a selector may require absent
    it("GitHub on GCP: a selector with repository_id absent and a long sub", () => {
      const document = doc({ gh: { kind: "github" } }, [
        {
          name: "any-repo",
          issuer: "gh",
          subjects: [
            {
              repository_owner: "acme",
              repository: { pattern: "acme/*" },
              repository_id: { absent: true },
            },
          ],
          grants: gcpGrant,
        },
      ]);
      assert.deepStrictEqual(divergencesOf(document), []);
    });

    // the corpus hands a legacy-format identity the tokens of an immutable-format identity of
    // the same issuer URL: the intent accepts them, the legacy sub patterns cannot
    it("GitHub legacy and immutable issuers in one document", () => {
      const document = doc(
        { gh: { kind: "github" }, ghids: { kind: "github", subjectFormat: "immutable" } },
        [
          {
            name: "main-anywhere",
            issuer: "gh",
            subjects: [
              { repository_owner: "acme", ref: "refs/heads/main", environment: { absent: true } },
            ],
            grants: [{ target: "aws-prod" }],
          },
          {
            name: "api",
            issuer: "ghids",
            subjects: [
              {
                repository: "acme/api",
                repository_owner_id: "100",
                repository_id: "900",
                ref: "refs/heads/main",
                environment: { absent: true },
              },
            ],
            grants: [{ target: "aws-prod", roleName: "api" }],
          },
        ],
      );
      assert.deepStrictEqual(divergencesOf(document), []);
    });
  });

  for (const stale of [true, false]) {
    /**
     * Does not prove that the clouds refuse tokens no issuer would mint in general: the
     * mutations are one claim at a time, from a small pool.
     */
    it(`random mutations of accepted tokens are never accepted unless the intent accepts them (${stale ? "stale sub: forged-looking tokens" : "sub recomputed"})`, function () {
      let tried = 0;
      let allowed = 0;
      let staleAdmitted = 0;
      const failures: string[] = [];
      fc.assert(
        fc.property(
          documents,
          fc.array(fc.tuple(fc.nat(), fc.nat(), mutation), { minLength: 60, maxLength: 60 }),
          (g, picks) => {
            const c = compiled(g);
            if (!c) return;
            const accepted = c.plan.identities.map((p) => {
              const identity = c.ir.identities.find((i) => i.name === p.name)!;
              const tokens = corpus(identity, c.ir.identities)
                .map((t) => t.claims)
                .filter((t) => intentAccepts(identity, t));
              return { identity, plan: p, tokens };
            });
            for (const [which, claimIndex, m] of picks) {
              const { identity, plan, tokens } = accepted[which % accepted.length]!;
              if (tokens.length === 0) continue;
              const original = tokens[(which >> 2) % tokens.length]!;
              const names = [...new Set([...Object.keys(original), "aud"])];
              const claim = names[claimIndex % names.length]!;
              let mutated: Record<string, unknown> | undefined = mutate(original, claim, m);
              if (!stale && claim !== "sub") mutated = reminted(identity, mutated, claim);
              if (!mutated) continue; // no issuer mints it
              for (const grant of plan.grants) {
                tried++;
                const verdict = evaluateGrant(identity, grant, mutated);
                if (!verdict.allowed) continue;
                allowed++;
                if (intentAccepts(identity, mutated) && audienceFits(grant, mutated)) continue;
                // a token whose sub no longer matches its claims can come from no issuer: a cloud
                // that matches sub only admits it on the strength of the unchanged sub
                if (stale && mutated.sub === original.sub && mutated.iss === original.iss) {
                  if (audienceFits(grant, mutated) && claim !== "sub") {
                    staleAdmitted++;
                    continue;
                  }
                }
                failures.push(
                  `${identity.name} → ${grant.target} (${grant.cloud}) allows ${claim} changed: ${verdict.reason}\n  token ${JSON.stringify(mutated).slice(0, 500)}`,
                );
              }
            }
          },
        ),
        // the eight issuers refuse many remints: enough runs to keep well over 2,000 decisions
        { numRuns: 70 },
      );
      this.test!.title += ` [${tried} decisions, ${allowed} allowed${stale ? `, ${staleAdmitted} on an unchanged sub alone` : ""}]`;
      assert.ok(tried >= 2000, `only ${tried} decisions`);
      assert.ok(allowed > 0, "no mutated token was allowed: the mutations prove little");
      assert.equal(
        failures.length,
        0,
        `${failures.length} mutated tokens allowed against the intent; the first three:\n${failures.slice(0, 3).join("\n")}`,
      );
    });
  }

  describe("tampered plans", () => {
    const original = compileDocument(load("platform.yaml"));
    const ir = original.ir!;
    const plan = original.plan!;
    /** A plan a test may change in place. */
    type Tamperable<T> = { -readonly [K in keyof T]: Tamperable<T[K]> };
    type Copy = Tamperable<Plan>;
    const grant = (p: Copy, identity: string, cloud: Cloud) =>
      p.identities.find((i) => i.name === identity)!.grants.find((g) => g.cloud === cloud)!;
    const aws = (p: Copy, identity: string) =>
      grant(p, identity, "aws").artefacts as Tamperable<AwsArtefacts>;
    const azure = (p: Copy, identity: string) =>
      grant(p, identity, "azure").artefacts as { credentials: FederatedCredential[] };
    const gcp = (p: Copy, identity: string) =>
      grant(p, identity, "gcp").artefacts as Tamperable<GcpArtefacts>;

    /** verifyPlan on a changed copy of the platform plan. */
    function tampered(change: (p: Copy) => void): Verification {
      const copy = structuredClone(plan) as Copy;
      change(copy);
      return verifyPlan(ir, copy);
    }

    function assertCaught(
      v: Verification,
      at: { identity: string; target: string; cloud: Cloud },
      direction: { intent: boolean; allowed: boolean },
    ) {
      assert.equal(v.ok, false);
      assert.ok(v.divergences.length > 0, "no divergence");
      for (const d of v.divergences) {
        assert.deepStrictEqual(
          { identity: d.identity, target: d.target, cloud: d.cloud },
          at,
          describeDivergence(d),
        );
        assert.deepStrictEqual({ intent: d.intent, allowed: d.allowed }, direction);
      }
    }

    it("the untouched plan verifies", () => assert.equal(verifyPlan(ir, plan).ok, true));

    it("(a) catches an AWS trust policy widened to repo:acme/*", () => {
      const v = tampered((p) => {
        const condition = aws(p, "api-deploy").trustPolicy.Statement[0]!.Condition as Record<
          string,
          Record<string, unknown>
        >;
        const key = "token.actions.githubusercontent.com:sub";
        delete condition.StringEquals![key];
        condition.StringLike = { [key]: "repo:acme/*" };
      });
      assertCaught(
        v,
        { identity: "api-deploy", target: "aws-prod", cloud: "aws" },
        { intent: false, allowed: true },
      );
    });

    // FAILS: verify's corpus never holds a pull request token of acme/api without an environment
    // (see the report), so it cannot see this credential.
    it("(b) catches an Azure credential added for repo:acme/api:pull_request", () => {
      const v = tampered((p) => {
        azure(p, "api-deploy").credentials.push({
          name: "repo-acme-api-pull-request",
          issuer: "https://token.actions.githubusercontent.com",
          subject: "repo:acme/api:pull_request",
          audience: "api://AzureADTokenExchange",
        });
      });
      assertCaught(
        v,
        { identity: "api-deploy", target: "azure-prod", cloud: "azure" },
        { intent: false, allowed: true },
      );
    });

    it("(b') catches an Azure credential added for another environment", () => {
      const v = tampered((p) => {
        azure(p, "api-deploy").credentials.push({
          name: "repo-acme-api-environment-production-evil",
          issuer: "https://token.actions.githubusercontent.com",
          subject: "repo:acme/api:environment:production-evil",
          audience: "api://AzureADTokenExchange",
        });
      });
      assertCaught(
        v,
        { identity: "api-deploy", target: "azure-prod", cloud: "azure" },
        { intent: false, allowed: true },
      );
    });

    it("(c) catches a GCP attribute condition replaced with true", () => {
      const v = tampered((p) => {
        gcp(p, "web-deploy").attributeCondition = "true";
      });
      assertCaught(
        v,
        { identity: "web-deploy", target: "gcp-prod", cloud: "gcp" },
        { intent: false, allowed: true },
      );
    });

    it("(d) catches a trust policy without its aud condition, once the provider has another client ID", () => {
      const dropAud = (p: Copy) => {
        const condition = aws(p, "web-deploy").trustPolicy.Statement[0]!.Condition as Record<
          string,
          Record<string, unknown>
        >;
        delete condition.StringEquals!["token.actions.githubusercontent.com:aud"];
      };
      // alone the change decides nothing differently: the provider's only client ID is
      // sts.amazonaws.com, and STS checks it before the policy
      assert.equal(tampered(dropAud).ok, true);
      const v = tampered((p) => {
        dropAud(p);
        // the provider serves another role whose audience is the corpus's "another audience"
        for (const i of p.identities)
          for (const g of i.grants)
            if (g.cloud === "aws") {
              g.artefacts.clientIds.push("https://github.com/acme");
            }
      });
      assertCaught(
        v,
        { identity: "web-deploy", target: "aws-prod", cloud: "aws" },
        { intent: false, allowed: true },
      );
    });

    it("catches a narrowing: an Azure credential removed", () => {
      const v = tampered((p) => {
        const credentials = azure(p, "api-deploy").credentials;
        const qa = credentials.findIndex((c) => c.subject.endsWith(":environment:qa"));
        assert.ok(qa >= 0);
        credentials.splice(qa, 1);
      });
      assertCaught(
        v,
        { identity: "api-deploy", target: "azure-prod", cloud: "azure" },
        { intent: true, allowed: false },
      );
    });
  });

  describe("CLI", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "trustplane-verify-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const example = join(EXAMPLES, "platform.yaml");

    it("exits 0 on the platform example with a summary line", async () => {
      const { code, out, err } = await cli("verify", example);
      assert.equal(code, 0, err);
      const last = out.split("\n").at(-1)!;
      assert.match(
        last,
        /^\d+ tokens, \d+ decisions, 0 divergences: every cloud decides as the intent means$/,
      );
    });

    it("--json gives ok, tokens, grants and divergences", async () => {
      const { code, out } = await cli("verify", "--json", example);
      assert.equal(code, 0);
      const value = JSON.parse(out) as Verification;
      assert.deepStrictEqual(Object.keys(value).sort(), ["divergences", "grants", "ok", "tokens"]);
      assert.equal(value.ok, true);
      assert.ok(value.tokens > 0);
      assert.equal(value.grants.length, 8);
      assert.deepStrictEqual(value.divergences, []);
    });

    it("exits 1 with the issues on a document with errors", async () => {
      const bad = join(dir, "bad.yaml");
      writeFileSync(
        bad,
        readFileSync(example, "utf8").replace(
          "repository: acme/api, environment: production",
          "environment: production",
        ),
      );
      const { code, out, err } = await cli("verify", bad);
      assert.equal(code, 1);
      assert.equal(out, "");
      assert.match(err, /owner_not_pinned|error/);
    });
  });
});
