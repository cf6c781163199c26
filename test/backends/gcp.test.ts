import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "@bufbuild/cel";
import fc from "fast-check";
import type { GcpArtefacts } from "../../lib/backends/gcp/grant";
import type { MatcherInput } from "../../lib/claims/matcher";
import { matches, normalizeMatcher } from "../../lib/claims/matcher";
import { analyse } from "../../lib/compile";
import type { Path } from "../../lib/errors";
import { isError } from "../../lib/errors";
import { evaluateProvider } from "../../lib/backends/gcp/evaluate";
import { loadText } from "../../lib/intent/load";
import type { IntentDocument } from "../../lib/intent/document";
import type { GrantPlan, PlanResource } from "../../lib/plan/types";
import { exchange, MAX_SUBJECT_BYTES } from "../support/cel";
import { oneIdentity, TARGETS } from "../support/documents";

type Json = Record<string, unknown>;
type GcpGrantPlan = Extract<GrantPlan, { cloud: "gcp" }>;

const POOL = "projects/123456789012/locations/global/workloadIdentityPools/trustplane";
const PROVIDER = `${POOL}/providers/deploy`;
const PRINCIPAL = `principalSet://iam.googleapis.com/${POOL}/attribute.trustplane_identity/deploy`;
const SA_EMAIL = "deploy@acme-prod.iam.gserviceaccount.com";
const GUARD = "bytes(assertion.sub).size() <= 127 ? assertion.sub : ";

const GITHUB = { kind: "github" };
/** An issuer whose sub may hold anything: the GCP limits are about bytes, not layouts. */
const ANY_SUB = { kind: "oidc", url: "https://k8s.example.com" };
const CIRCLECI_ORG = "0b0e6d8a-1c2f-4a55-9a77-3f5c2d1e0a9b";

/** The GCP grant of identity `index`; fails with the errors when the document has any. */
function gcpGrant(doc: unknown, index = 0): GcpGrantPlan {
  const { plan, issues } = analyse(doc);
  assert.ok(plan, `expected a plan, got ${JSON.stringify(issues.filter(isError))}`);
  const grant = plan.identities[index]?.grants.find((g): g is GcpGrantPlan => g.cloud === "gcp");
  assert.ok(grant, "the identity has no gcp grant");
  return grant;
}

/** `[code, path]` of every error, the form the assertions compare. */
function errors(doc: unknown): [string, Path][] {
  return analyse(doc)
    .issues.filter(isError)
    .map((i) => [i.code, i.path]);
}

/** One `deploy` identity granted only on gcp-prod with these options. */
function gcpOnly(issuer: Json, subjects: Json[], grant: Json = { roles: ["roles/viewer"] }) {
  return oneIdentity(issuer, subjects, [{ target: "gcp-prod", ...grant }]);
}

/** The full artefacts of `deploy` on gcp-prod, written out from the pieces a case varies. */
function expectedArtefacts(x: {
  issuerUri: string;
  audience: string;
  subject: string;
  condition: string;
  mode: "impersonate" | "direct";
  roles: string[];
}): GcpArtefacts {
  const member = x.mode === "impersonate" ? `serviceAccount:${SA_EMAIL}` : PRINCIPAL;
  return {
    poolId: "trustplane",
    providerId: "deploy",
    providerName: PROVIDER,
    issuerUri: x.issuerUri,
    allowedAudiences: [x.audience],
    attributeMapping: { "google.subject": x.subject, "attribute.trustplane_identity": "'deploy'" },
    attributeCondition: x.condition,
    principals: [PRINCIPAL],
    mode: x.mode,
    ...(x.mode === "impersonate"
      ? { serviceAccountId: "deploy", serviceAccountEmail: SA_EMAIL }
      : {}),
    projectBindings: x.roles.map((role) => ({ role, member })),
  };
}

/** The resources of `deploy` on gcp-prod: the shared pool, the provider, maybe an SA, the roles. */
function expectedResources(mode: "impersonate" | "direct", roles: string[]): PlanResource[] {
  return [
    {
      type: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
      name: "pool/acme-prod/trustplane",
      shared: true,
    },
    {
      type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      name: "deploy/gcp-prod",
    },
    ...(mode === "impersonate"
      ? [
          { type: "gcp:serviceaccount/account:Account", name: "deploy/gcp-prod" },
          {
            type: "gcp:serviceaccount/iAMMember:IAMMember",
            name: "deploy/gcp-prod/workload-identity-user",
          },
        ]
      : []),
    ...roles.map((r) => ({
      type: "gcp:projects/iAMMember:IAMMember",
      name: `deploy/gcp-prod/${r}`,
    })),
  ];
}

interface TableCase {
  readonly title: string;
  readonly doc: IntentDocument;
  readonly issuerUri: string;
  readonly audience: string;
  readonly subject: string;
  readonly condition: string;
  readonly mode: "impersonate" | "direct";
  readonly roles: string[];
}

const GITHUB_URL = "https://token.actions.githubusercontent.com";
const HTTPS_AUDIENCE = `https://iam.googleapis.com/${PROVIDER}`;
/** The bounded fallback for a long sub: short run identifiers when present as short strings. */
function shortSubject(claims: string[], identity = "deploy"): string {
  const form = claims.map((c, i) => `'${i ? ":" : ""}${c}:' + assertion.${c}`).join(" + ");
  const guard = [
    ...claims.map((c) => `has(assertion.${c}) && type(assertion.${c}) == string`),
    `bytes(${form}).size() <= 127`,
  ].join(" && ");
  return `(${guard} ? ${form} : 'trustplane:${identity}')`;
}
const GITHUB_SHORT = shortSubject(["repository_id", "run_id", "run_attempt"]);

/** A branch job, or a job started by a custom webhook (no VCS origin). */
const CIRCLECI_SELECTORS = [
  { "oidc.circleci.com/project-id": "5f3a", "oidc.circleci.com/vcs-ref": "refs/heads/main" },
  { "oidc.circleci.com/project-id": "5f3a", "oidc.circleci.com/vcs-origin": { absent: true } },
];

const TABLE: TableCase[] = [
  {
    title: "GitHub exact, oneOf and absent selectors, impersonating a service account",
    doc: gcpOnly(
      GITHUB,
      [
        { repository: "acme/api", environment: "production" },
        { repository: "acme/api", environment: { oneOf: ["staging", "qa"] } },
        { repository: "acme/api", ref: "refs/heads/main", environment: { absent: true } },
      ],
      { roles: ["roles/run.admin"] },
    ),
    issuerUri: GITHUB_URL,
    audience: HTTPS_AUDIENCE,
    // every selector fixes sub to a short literal, so google.subject is sub itself
    subject: "assertion.sub",
    condition:
      // terms are sorted, so the order of selectors in the document cannot change the provider
      "(!has(assertion.environment) && has(assertion.ref) && assertion.ref == 'refs/heads/main' && has(assertion.repository) && assertion.repository == 'acme/api')" +
      " || (has(assertion.environment) && assertion.environment == 'production' && has(assertion.repository) && assertion.repository == 'acme/api')" +
      " || (has(assertion.environment) && assertion.environment in ['qa', 'staging'] && has(assertion.repository) && assertion.repository == 'acme/api')",
    mode: "impersonate",
    roles: ["roles/run.admin"],
  },
  {
    title: "GitHub patterns (startsWith, endsWith, contains, matches), roles bound directly",
    doc: gcpOnly(
      GITHUB,
      [
        { repository: "acme/api", ref: { pattern: "refs/tags/v*" } },
        { repository: "acme/api", environment: { pattern: "*-prod" } },
        { repository_owner: "acme", workflow: { pattern: "*x*" } },
        { repository_owner: "acme", head_ref: { pattern: "v?.*" } },
      ],
      { roles: ["roles/viewer", "projects/acme-prod/roles/deployer"], mode: "direct" },
    ),
    issuerUri: GITHUB_URL,
    audience: HTTPS_AUDIENCE,
    subject: GUARD + GITHUB_SHORT,
    condition:
      "(has(assertion.environment) && assertion.environment.endsWith('-prod') && has(assertion.repository) && assertion.repository == 'acme/api')" +
      // the regex (?s)^v.\..*$ , its backslash doubled inside the CEL string literal
      " || (has(assertion.head_ref) && assertion.head_ref.matches('(?s)^v.\\\\..*$') && has(assertion.repository_owner) && assertion.repository_owner == 'acme')" +
      " || (has(assertion.ref) && assertion.ref.startsWith('refs/tags/v') && has(assertion.repository) && assertion.repository == 'acme/api')" +
      " || (has(assertion.repository_owner) && assertion.repository_owner == 'acme' && has(assertion.workflow) && assertion.workflow.contains('x'))",
    mode: "direct",
    roles: ["roles/viewer", "projects/acme-prod/roles/deployer"],
  },
  {
    title: "GitHub values with quotes, backslashes and non-ASCII are escaped",
    doc: gcpOnly(GITHUB, [{ repository: "acme/api", environment: `it's "prod" \\ é😀` }]),
    issuerUri: GITHUB_URL,
    audience: HTTPS_AUDIENCE,
    subject: "assertion.sub",
    condition:
      "has(assertion.environment) && assertion.environment == 'it\\'s \"prod\" \\\\ \\u00e9\\U0001f600' && has(assertion.repository) && assertion.repository == 'acme/api'",
    mode: "impersonate",
    roles: ["roles/viewer"],
  },
  {
    title: "CircleCI claim names that are not identifiers use `in` and index syntax",
    doc: gcpOnly({ kind: "circleci", organizationId: CIRCLECI_ORG }, CIRCLECI_SELECTORS),
    issuerUri: `https://oidc.circleci.com/org/${CIRCLECI_ORG}`,
    // CircleCI tokens carry the organization ID as their audience
    audience: CIRCLECI_ORG,
    // sub holds the user, which no selector fixes
    subject: `${GUARD}'trustplane:deploy'`,
    // `in` binds looser than `!`, so the presence tests need their parentheses
    condition:
      "(('oidc.circleci.com/project-id' in assertion) && assertion['oidc.circleci.com/project-id'] == '5f3a'" +
      " && !('oidc.circleci.com/vcs-origin' in assertion))" +
      " || (('oidc.circleci.com/project-id' in assertion) && assertion['oidc.circleci.com/project-id'] == '5f3a'" +
      " && ('oidc.circleci.com/vcs-ref' in assertion) && assertion['oidc.circleci.com/vcs-ref'] == 'refs/heads/main')",
    mode: "impersonate",
    roles: ["roles/viewer"],
  },
  {
    title: "HCP Terraform's default audience has no https: prefix",
    doc: gcpOnly({ kind: "terraform-cloud" }, [
      { terraform_organization_name: "acme", terraform_workspace_name: "prod" },
    ]),
    issuerUri: "https://app.terraform.io",
    audience: `//iam.googleapis.com/${PROVIDER}`,
    subject: GUARD + shortSubject(["terraform_run_id", "terraform_run_phase"]),
    condition:
      "has(assertion.terraform_organization_name) && assertion.terraform_organization_name == 'acme'" +
      " && has(assertion.terraform_workspace_name) && assertion.terraform_workspace_name == 'prod'",
    mode: "impersonate",
    roles: ["roles/viewer"],
  },
  {
    title: "Pulumi Deployments' audience is the organization name",
    doc: gcpOnly({ kind: "pulumi-cloud", organization: "acme" }, [
      { org: "acme", project: "web", stack: "prod" },
    ]),
    issuerUri: "https://api.pulumi.com/oidc",
    audience: "acme",
    subject: `${GUARD}'trustplane:deploy'`,
    condition:
      "has(assertion.org) && assertion.org == 'acme' && has(assertion.project) && assertion.project == 'web'" +
      " && has(assertion.stack) && assertion.stack == 'prod'",
    mode: "impersonate",
    roles: ["roles/viewer"],
  },
];

// ---- condition semantics: generators -------------------------------------------------------

/** A generic issuer: not shared (no owner pin needed) and no sub layout. */
const OIDC = {
  kind: "oidc",
  url: "https://issuer.example.com",
  claims: ["repository", "ref", "environment", "event_name", "oidc.example.com/team"],
};
const CLAIMS = OIDC.claims;
const PROPERTY_RUNS = 400;

/** Values chosen to break quoting, escaping and regexes. */
const HOSTILE = [
  "acme/api",
  "refs/heads/main",
  "'",
  '"',
  "\\",
  "it's",
  "${x}",
  "%{",
  "é",
  "😀",
  "ℵ",
  ".+()[]{}^$|",
  "a.b",
  "\\u00e9",
  "(?s)",
  "\\'",
];
const PATTERNS = [
  "*",
  "?",
  "a*",
  "*'",
  "*\\",
  "\\*",
  "?😀",
  "*.*",
  "é?",
  "${*}",
  "[*]",
  "*😀*",
  "^*$",
  "v?.*",
  "**",
  "*?*",
  "%{*",
  '*"*',
  "ℵ*ℵ",
  "(*)|+",
];
/** Single characters for random values: quotes, escapes, regex syntax, multi-byte text. */
const CHARS = [..."ab'\"\\${}%.+()[]^|/éℵ😀"];

const valueArb = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: 5 }),
);
const patternArb = fc.oneof(
  fc.constantFrom(...PATTERNS),
  fc.string({ unit: fc.constantFrom(...CHARS, "*", "?"), minLength: 1, maxLength: 5 }),
);
const matcherArb: fc.Arbitrary<MatcherInput> = fc.oneof(
  valueArb,
  fc.record({ oneOf: fc.array(valueArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ pattern: patternArb }),
  fc.constant({ absent: true as const }),
);
const selectorArb = fc.dictionary(fc.constantFrom(...CLAIMS), matcherArb, {
  minKeys: 1,
  maxKeys: 3,
});

/** Values a token may carry: the selectors' own values, instances of their patterns, and noise. */
function tokenValues(selectors: readonly Record<string, MatcherInput>[]): string[] {
  const out = new Set<string>(["", "*", "?", ...HOSTILE.slice(0, 4)]);
  for (const m of selectors.flatMap((s) => Object.values(s))) {
    if (typeof m === "string") out.add(m);
    else if ("oneOf" in m) m.oneOf.forEach((v) => out.add(v));
    else if ("pattern" in m) {
      out.add(m.pattern);
      out.add(m.pattern.replace(/\*/g, "").replace(/\?/g, "é"));
      out.add(m.pattern.replace(/\*/g, "😀'x").replace(/\?/g, "\\"));
      out.add(`${m.pattern}.`);
    }
  }
  return [...out];
}

const selectorsAndTokens = fc
  .array(selectorArb, { minLength: 1, maxLength: 3 })
  .chain((selectors) => {
    const value = fc.constantFrom(...tokenValues(selectors));
    const token = fc.record(Object.fromEntries(CLAIMS.map((c) => [c, value])), {
      requiredKeys: [],
    });
    return fc.tuple(
      fc.constant(selectors),
      fc.array(token as fc.Arbitrary<Record<string, string>>, { minLength: 4, maxLength: 8 }),
    );
  });

// ---- small builders ---------------------------------------------------------------------

/** `length` characters of `has(assertion.sub) && assertion.sub in ['…', …]`, in 40 values. */
function valuesForCondition(length: number): string[] {
  const count = 40;
  const fixed = "has(assertion.sub) && assertion.sub in []".length + count * 2 + (count - 1) * 2;
  const each = Math.floor((length - fixed) / count);
  const first = length - fixed - each * (count - 1);
  // a distinct two-digit head per value: oneOf drops duplicates
  return Array.from(
    { length: count },
    (_, i) => String(i).padStart(2, "0") + "v".repeat((i === 0 ? first : each) - 2),
  );
}

/** Two identities, deploy-a and deploy-b, with one grant each. */
function twoIdentities(a: Json, b: Json): Json {
  const identity = (name: string, grant: Json) => ({
    name,
    issuer: "k8s",
    subjects: [{ sub: name }],
    grants: [grant],
  });
  return {
    version: 1,
    issuers: { k8s: ANY_SUB },
    targets: { ...TARGETS, "gcp-other-pool": { ...TARGETS["gcp-prod"], poolId: "other" } },
    identities: [identity("deploy-a", a), identity("deploy-b", b)],
  };
}

/** `deploy` renamed, with default IDs. */
function named(name: string): IntentDocument {
  const doc = gcpOnly(ANY_SUB, [{ sub: "ci" }]);
  return { ...doc, identities: doc.identities.map((i) => ({ ...i, name })) };
}

function assertValidIds(providerId: string, serviceAccountId: string): void {
  assert.match(providerId, /^[a-z0-9-]{4,32}$/);
  assert.ok(!providerId.startsWith("gcp-"), `${providerId} starts with the reserved gcp-`);
  assert.match(serviceAccountId, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
}

/** Names the schema accepts: a letter, then letters and digits in dash-separated runs. */
const identityName = fc
  .tuple(
    fc.constantFrom(..."agpz"),
    fc.string({ unit: fc.constantFrom(..."acgpz09"), maxLength: 12 }),
    fc.array(fc.string({ unit: fc.constantFrom(..."acgpz09"), minLength: 1, maxLength: 10 }), {
      maxLength: 5,
    }),
  )
  .map(([first, rest, runs]) => [first + rest, ...runs].join("-"))
  .filter((name) => name.length <= 48);

describe("gcp backend", () => {
  // Proves what trustplane plans, character for character. Does NOT prove that GCP accepts the
  // provider, that its CEL dialect has every function used, or that tokens carry these claims.
  describe("artefacts", () => {
    for (const c of TABLE) {
      it(c.title, () => {
        const grant = gcpGrant(c.doc);
        assert.equal(grant.audience, c.audience);
        assert.deepStrictEqual(grant.artefacts, expectedArtefacts(c));
        assert.deepStrictEqual(grant.resources, expectedResources(c.mode, c.roles));
      });
    }
  });

  // Proves the expressions are CEL that cel-es parses. Does NOT prove GCP's parser, which is
  // cel-go's, agrees on every construct.
  describe("CEL syntax", () => {
    it("every condition and mapping of the table and the example parses", () => {
      const example = loadText(
        readFileSync(join(__dirname, "../../examples/platform.yaml"), "utf8"),
      );
      const { plan } = analyse(example.data);
      assert.ok(plan);
      const grants = [
        ...TABLE.map((c) => gcpGrant(c.doc)),
        ...plan.identities.flatMap((i) => i.grants.filter((g) => g.cloud === "gcp")),
      ];
      assert.equal(grants.length, TABLE.length + 3);
      for (const { artefacts } of grants) {
        for (const src of [
          artefacts.attributeCondition,
          ...Object.values(artefacts.attributeMapping),
        ]) {
          assert.doesNotThrow(() => parse(src), `does not parse: ${src}`);
        }
      }
    });

    it("claims named like CEL keywords (in, null, true, false) still give a condition that parses", () => {
      // a generic OIDC issuer may declare any claim name; `assertion.in` is a CEL syntax error
      const claims = ["in", "null", "true", "false"];
      const doc = gcpOnly({ kind: "oidc", url: "https://issuer.example.com", claims }, [
        Object.fromEntries(claims.map((c) => [c, "x"])),
      ]);
      const condition = gcpGrant(doc).artefacts.attributeCondition;
      assert.doesNotThrow(() => parse(condition), `does not parse: ${condition}`);
    });
  });

  describe("condition semantics", () => {
    // Proves that, as cel-es evaluates it, the condition admits exactly the tokens the selectors
    // describe, for hostile values too. Does NOT prove GCP's RE2 and string functions behave
    // like cel-es's, nor anything about the sub projection (this issuer has no sub layout).
    it("the compiled condition accepts a token exactly when some selector matches it", () => {
      const outcomes = { accepted: 0, rejected: 0 };
      fc.assert(
        fc.property(selectorsAndTokens, ([selectors, tokens]) => {
          const { artefacts } = gcpGrant(gcpOnly(OIDC, selectors));
          // GCP counts the condition's characters; ASCII-only text makes that its byte count too
          assert.match(artefacts.attributeCondition, /^[\x20-\x7e]*$/);
          for (const token of tokens) {
            const expected = selectors.some((s) =>
              Object.entries(s).every(([claim, m]) => matches(normalizeMatcher(m), token[claim])),
            );
            const result = exchange(artefacts, { sub: "token-subject", ...token });
            assert.equal(result.accepted, expected, result.accepted ? "accepted" : result.reason);
            outcomes[expected ? "accepted" : "rejected"]++;
          }
        }),
        { numRuns: PROPERTY_RUNS },
      );
      // the generators must exercise both outcomes, or the property proves little
      assert.ok(outcomes.accepted > PROPERTY_RUNS / 4, JSON.stringify(outcomes));
      assert.ok(outcomes.rejected > PROPERTY_RUNS / 4, JSON.stringify(outcomes));
    });
  });

  // Proves `absent` works on claims that need index syntax, whatever the random runs draw.
  // Does NOT prove which claims CircleCI puts in a webhook-triggered token.
  describe("absent on a non-identifier claim", () => {
    const team = { sub: "org/x/project/5f3a/user/u", "oidc.circleci.com/project-id": "5f3a" };
    const cases: [string, Record<string, string>, boolean][] = [
      ["a webhook job without vcs-origin", team, true],
      [
        "a job with vcs-origin on another branch",
        {
          ...team,
          "oidc.circleci.com/vcs-origin": "github.com/acme/api",
          "oidc.circleci.com/vcs-ref": "refs/heads/dev",
        },
        false,
      ],
      [
        "a job with vcs-origin on main",
        {
          ...team,
          "oidc.circleci.com/vcs-origin": "github.com/acme/api",
          "oidc.circleci.com/vcs-ref": "refs/heads/main",
        },
        true,
      ],
      ["another project's webhook job", { ...team, "oidc.circleci.com/project-id": "9999" }, false],
    ];
    for (const [title, token, accepted] of cases) {
      it(`${accepted ? "admits" : "refuses"} ${title}`, () => {
        const { artefacts } = gcpGrant(
          gcpOnly({ kind: "circleci", organizationId: CIRCLECI_ORG }, CIRCLECI_SELECTORS),
        );
        const result = exchange(artefacts, token);
        assert.equal(result.accepted, accepted, result.accepted ? "accepted" : result.reason);
      });
    }
  });

  // Proves the mapping is plain `assertion.sub` only when every admitted sub fits GCP's 127
  // bytes, and that the guarded form maps long subs to a short one. Does NOT prove GCP counts
  // bytes the way Buffer.byteLength does.
  describe("google.subject", () => {
    const subjectFor = (...subjects: Json[]) =>
      gcpGrant(gcpOnly(ANY_SUB, subjects)).artefacts.attributeMapping["google.subject"];
    const guarded = `${GUARD}'trustplane:deploy'`;

    const cases: [string, Json[], string][] = [
      ["a 127-byte sub", [{ sub: "s".repeat(127) }], "assertion.sub"],
      ["a 128-byte sub", [{ sub: "s".repeat(128) }], guarded],
      ["63 × é + s: 64 characters, 127 bytes", [{ sub: "é".repeat(63) + "s" }], "assertion.sub"],
      ["64 × é: 64 characters, 128 bytes", [{ sub: "é".repeat(64) }], guarded],
      ["32 × 😀: 32 code points, 128 bytes", [{ sub: "😀".repeat(32) }], guarded],
      [
        "a oneOf with one 128-byte value",
        [{ sub: { oneOf: ["short", "s".repeat(128)] } }],
        guarded,
      ],
      [
        "one of two selectors with a 128-byte sub",
        [{ sub: "short" }, { sub: "s".repeat(128) }],
        guarded,
      ],
      ["a sub pattern", [{ sub: { pattern: "system:serviceaccount:ci:*" } }], guarded],
    ];
    for (const [title, subjects, mapping] of cases) {
      it(`${title} → ${mapping === guarded ? "guarded" : "assertion.sub"}`, () => {
        assert.equal(subjectFor(...subjects), mapping);
      });
    }

    it("GitHub environments: a 127-byte sub maps as is, a 128-byte one is guarded", () => {
      const prefix = "repo:acme/api:environment:";
      const env = (bytes: number) => "e".repeat(bytes - prefix.length);
      const mapping = (bytes: number) =>
        gcpGrant(gcpOnly(GITHUB, [{ repository: "acme/api", environment: env(bytes) }])).artefacts
          .attributeMapping["google.subject"];
      assert.equal(mapping(127), "assertion.sub");
      assert.equal(mapping(128), GUARD + GITHUB_SHORT);
    });

    it("the guarded mapping admits a long-sub GitHub token with a short google.subject", () => {
      const environment = "e".repeat(200);
      const { artefacts } = gcpGrant(gcpOnly(GITHUB, [{ repository: "acme/api", environment }]));
      const token = {
        sub: `repo:acme/api:environment:${environment}`,
        repository: "acme/api",
        environment,
        repository_id: "987654321",
        run_id: "1234567890",
        run_attempt: "1",
      };
      const result = exchange(artefacts, token);
      assert.ok(result.accepted, result.accepted ? "" : result.reason);
      assert.equal(
        result.google.subject,
        "repository_id:987654321:run_id:1234567890:run_attempt:1",
      );
    });

    it("the guarded mapping keeps short subs and shortens long ones, all within 127 bytes", () => {
      const long = "é".repeat(64);
      const { artefacts } = gcpGrant(gcpOnly(ANY_SUB, [{ sub: { oneOf: ["short", long] } }]));
      for (const [sub, subject] of [
        ["short", "short"],
        [long, "trustplane:deploy"],
      ] as const) {
        const result = exchange(artefacts, { sub });
        assert.ok(result.accepted, result.accepted ? "" : result.reason);
        assert.equal(result.google.subject, subject);
        assert.ok(Buffer.byteLength(result.google.subject, "utf8") <= MAX_SUBJECT_BYTES);
      }
    });

    it("the helper rejects an unguarded mapping of a 128-byte sub (so the tests above can fail)", () => {
      const provider = {
        attributeMapping: { "google.subject": "assertion.sub" },
        attributeCondition: "true",
      };
      assert.equal(exchange(provider, { sub: "é".repeat(64) }).accepted, false);
      assert.equal(exchange(provider, { sub: "é".repeat(63) + "s" }).accepted, true);
    });
  });

  // GCP's limits on a provider's attribute mapping: each expression at most 2,048 characters, at
  // most 50 custom attributes named [a-z0-9_]{1,100}, at most 10 allowed audiences, and all
  // mapped values together at most 8 KB. trustplane's mapping is bounded by construction (no
  // expression grows with the document), so instead of an issue code these tests hold every
  // mapping it can write to the limits. Does NOT prove GCP counts the sizes this way.
  describe("attribute mapping limits", () => {
    const EXAMPLES = join(__dirname, "..", "..", "examples");
    const longName = "a".repeat(20) + "-" + "b".repeat(27); // 48 characters, the longest name
    const documents: [string, unknown][] = [
      ...[
        "platform",
        "gitlab",
        "terraform-cloud",
        "github-pull-requests",
        "pulumi-cloud",
        "eks-service-account",
      ].map((f): [string, unknown] => [
        f,
        loadText(readFileSync(join(EXAMPLES, `${f}.yaml`), "utf8")).data,
      ]),
      ...(
        [
          [GITHUB, "repo:acme/*"],
          [{ kind: "gitlab" }, "project_path:acme/*"],
          [{ kind: "terraform-cloud" }, "organization:acme:*"],
          [ANY_SUB, "system:serviceaccount:*"],
        ] as const
      ).map(([issuer, pattern]): [string, unknown] => {
        const doc = gcpOnly(issuer, [{ sub: { pattern } }]) as { identities: Json[] };
        doc.identities[0]!.name = longName;
        return [`${issuer.kind} with a 48-character identity name and a sub pattern`, doc];
      }),
    ];
    for (const [title, doc] of documents) {
      it(`${title}: within the limits`, () => {
        const { plan, issues } = analyse(doc);
        assert.ok(plan, JSON.stringify(issues.filter(isError)));
        const grants = plan.identities
          .flatMap((i) => i.grants)
          .filter((g): g is GcpGrantPlan => g.cloud === "gcp");
        assert.ok(grants.length >= 1, "no GCP grant");
        for (const { artefacts } of grants) {
          const keys = Object.keys(artefacts.attributeMapping);
          const custom = keys.filter((k) => k.startsWith("attribute."));
          assert.ok(custom.length <= 50, `${custom.length} custom attributes`);
          for (const k of custom) assert.match(k.slice("attribute.".length), /^[a-z0-9_]{1,100}$/);
          for (const expression of Object.values(artefacts.attributeMapping))
            assert.ok(expression.length <= 2048, `${expression.length} characters`);
          assert.ok(artefacts.allowedAudiences.length <= 10, "over 10 audiences");
          for (const a of artefacts.allowedAudiences) assert.ok(a.length <= 256, a);
        }
      });
    }

    it("the evaluator refuses mapped values over 8 KB (a hand-made mapping: trustplane's stay far below)", () => {
      const grant = gcpGrant(gcpOnly(ANY_SUB, [{ sub: "system:serviceaccount:ci:deploy" }]));
      const provider = {
        ...grant.artefacts,
        attributeMapping: { ...grant.artefacts.attributeMapping, "attribute.big": "assertion.big" },
      };
      const token = { iss: ANY_SUB.url, sub: "system:serviceaccount:ci:deploy" };
      const fits = evaluateProvider(provider, { ...token, big: "b".repeat(8000) }, [
        grant.audience,
      ]);
      assert.equal(fits.allowed, true, fits.reason);
      const over = evaluateProvider(provider, { ...token, big: "b".repeat(8192) }, [
        grant.audience,
      ]);
      assert.equal(over.allowed, false);
      assert.match(over.reason, /^the mapped attributes take 8\d{3} bytes, over GCP's 8192$/);
    });
  });

  // Proves trustplane's own limit check sits exactly at 4096 characters. Does NOT prove GCP's
  // limit is 4096 characters rather than some other measure.
  describe("condition length", () => {
    it("allows a 4096-character condition", () => {
      const grant = gcpGrant(gcpOnly(ANY_SUB, [{ sub: { oneOf: valuesForCondition(4096) } }]));
      assert.equal(grant.artefacts.attributeCondition.length, 4096);
    });

    it("refuses a 4097-character condition", () => {
      assert.deepStrictEqual(
        errors(gcpOnly(ANY_SUB, [{ sub: { oneOf: valuesForCondition(4097) } }])),
        [["gcp_condition_too_long", ["identities", 0, "subjects"]]],
      );
    });
  });

  // Proves trustplane's checks of names and roles. Does NOT prove GCP's own rules are these.
  describe("names and roles", () => {
    const grantPath = ["identities", 0, "grants", 0];
    const withGrant = (grant: Json) => gcpOnly(ANY_SUB, [{ sub: "ci" }], grant);

    for (const providerId of ["gcp-x", "ab", "p".repeat(33), "-abcd"]) {
      it(`refuses the provider ID ${JSON.stringify(providerId)}`, () => {
        assert.deepStrictEqual(errors(withGrant({ providerId })), [
          ["invalid_name", [...grantPath, "providerId"]],
        ]);
      });
    }

    it("accepts provider IDs of 4 and 32 characters", () => {
      for (const providerId of ["abcd", "p".repeat(32)]) {
        assert.equal(gcpGrant(withGrant({ providerId })).artefacts.providerId, providerId);
      }
    });

    for (const serviceAccountId of [
      "abcde",
      "s".repeat(31),
      "1abcdef",
      "abcdef-",
      "Abcdef",
      "ab_cdef",
    ]) {
      it(`refuses the service account ID ${JSON.stringify(serviceAccountId)}`, () => {
        assert.deepStrictEqual(errors(withGrant({ serviceAccountId })), [
          ["invalid_name", [...grantPath, "serviceAccountId"]],
        ]);
      });
    }

    it("accepts service account IDs of 6 and 30 characters", () => {
      for (const serviceAccountId of ["abcdef", "s".repeat(30)]) {
        const { artefacts } = gcpGrant(withGrant({ serviceAccountId }));
        assert.equal(
          artefacts.serviceAccountEmail,
          `${serviceAccountId}@acme-prod.iam.gserviceaccount.com`,
        );
      }
    });

    it("refuses two providers with one ID in one pool, and allows it in two pools", () => {
      const doc = (second: string) =>
        twoIdentities(
          { target: "gcp-prod", providerId: "shared" },
          { target: second, providerId: "shared" },
        );
      assert.deepStrictEqual(errors(doc("gcp-prod")), [
        ["name_conflict", ["identities", 1, "grants", 0, "providerId"]],
      ]);
      assert.deepStrictEqual(errors(doc("gcp-other-pool")), []);
    });

    it("refuses two service accounts with one ID in one project", () => {
      const grant = { target: "gcp-prod", serviceAccountId: "deployer" };
      assert.deepStrictEqual(errors(twoIdentities(grant, grant)), [
        ["name_conflict", ["identities", 1, "grants", 0, "serviceAccountId"]],
      ]);
    });

    it("refuses role strings that are not GCP roles", () => {
      const roles = [
        "roles/run.admin",
        "run.admin",
        "organizations/123/roles/custom",
        "roles/",
        "roles/a b",
      ];
      assert.deepStrictEqual(errors(withGrant({ roles })), [
        ["invalid_value", [...grantPath, "roles", 1]],
        ["invalid_value", [...grantPath, "roles", 3]],
        ["invalid_value", [...grantPath, "roles", 4]],
      ]);
    });
  });

  // Proves the derived IDs are valid by trustplane's regexes and do not change between
  // versions (a changed ID replaces the cloud resource). Does NOT prove GCP has no further rule.
  describe("default IDs", () => {
    const ids = (name: string) => {
      const { artefacts } = gcpGrant(named(name));
      return [artefacts.providerId, artefacts.serviceAccountId];
    };

    const cases: [string, string, string][] = [
      ["a", "a-workload", "a-workload"],
      ["abc", "abc-workload", "abc-workload"],
      ["abcd", "abcd", "abcd-workload"],
      ["abcde", "abcde", "abcde-workload"],
      ["abcdef", "abcdef", "abcdef"],
      [
        "abcdefghij-abcdefghij-abcdefgh",
        "abcdefghij-abcdefghij-abcdefgh",
        "abcdefghij-abcdefghij-abcdefgh",
      ],
      [
        "abcdefghij-abcdefghij-abcdefghi",
        "abcdefghij-abcdefghij-abcdefghi",
        "abcdefghij-abcdefghij-e0bde0e0",
      ],
      [
        "abcdefghij-abcdefghij-abcdefghij-a",
        "abcdefghij-abcdefghij-a-3e80f52e",
        "abcdefghij-abcdefghij-3e80f52e",
      ],
      [
        "deployer-for-the-production-api-of-acme-platform",
        "deployer-for-the-produc-2898fbef",
        "deployer-for-the-prod-2898fbef",
      ],
    ];
    for (const [name, providerId, serviceAccountId] of cases) {
      it(`${name} (${name.length} characters) → ${providerId}, ${serviceAccountId}`, () => {
        assert.deepStrictEqual(ids(name), [providerId, serviceAccountId]);
        assertValidIds(providerId, serviceAccountId);
      });
    }

    it("long names that share a head get different IDs", () => {
      const head = "deployer-for-the-production-api-";
      assert.notDeepStrictEqual(ids(`${head}one`), ids(`${head}two`));
    });

    for (const name of ["gcp", "gcp-deployer", "gcp-x"]) {
      it(`an identity named ${name} gets a provider ID without the reserved gcp- prefix`, () => {
        const { issues } = analyse(named(name));
        assert.deepStrictEqual(issues.filter(isError), []);
        const [providerId, serviceAccountId] = ids(name);
        assertValidIds(providerId!, serviceAccountId!);
      });
    }

    it("every valid identity name gets valid IDs", () => {
      fc.assert(
        fc.property(identityName, (name) => {
          const { plan, issues } = analyse(named(name));
          assert.deepStrictEqual(issues.filter(isError), [], name);
          const grant = plan!.identities[0]!.grants[0]!;
          assert.ok(grant.cloud === "gcp");
          assertValidIds(grant.artefacts.providerId, grant.artefacts.serviceAccountId!);
        }),
        { numRuns: 300, examples: [["gcp"], ["gcp-deployer"], ["a"]] },
      );
    });
  });
});
