// `trustplane explain`: tokens read from files, from stdin and as JWTs; signatures, expiry, nbf and
// issuer checked against a JWKS served by a local OIDC issuer (node:http on 127.0.0.1, keys made
// with jose); and the decisions each cloud's compiled artefacts take on realistic tokens.
//
// What these tests do NOT prove:
// - that AWS, Azure or GCP decide as trustplane says: the decisions are trustplane's own
//   evaluators run on the compiled artefacts, checked here against what those evaluators print,
//   not against the clouds. A real STS, Entra or GCP STS exchange is never made;
// - that a real issuer's tokens verify: the issuer here is local, with one RS256 key. Key
//   rotation, other algorithms (ES256, EdDSA), JWKS caching, HTTP redirects, TLS and a JWKS
//   that never answers (the 5 s fetch timeout) are not exercised; the last would cost 5 s;
// - that the issuer's discovery document is used: `--jwks` takes the JWKS URL itself. The tests
//   read `jwks_uri` from discovery as a user would, but trustplane never fetches discovery;
// - that the issuer URL in the document is the one the JWKS was fetched from: the schema only
//   accepts https issuers, so the document says https://ci.example.test while the key set is
//   served from http://127.0.0.1; trustplane cannot notice the two are unrelated, nor do these
//   tests ask it to;
// - how the clouds treat a token whose `aud` lists several audiences (the valid token here
//   carries all three so one token exercises every grant);
// - the Azure/GCP/AWS reasons for every kind of denial: only those the scenarios reach;
// - anything about the installed `bin`: all but one test call `run()` in-process; the stdin
//   test spawns the TypeScript entry through tsx.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as JoseModule from "jose" with { "resolution-mode": "import" };
import type { Explanation } from "../../lib/inspect/explain";
import { explain } from "../../lib/inspect/explain";
import type { TokenClaims } from "../../lib/inspect/token-claims";
import { readIntentFile } from "../../lib/intent/file";
import { cli } from "../support/cli";
import type { Result } from "../support/cli";
import { oneIdentity } from "../support/documents";

type Jose = typeof JoseModule;
type KeyPair = Awaited<ReturnType<Jose["generateKeyPair"]>>;
type Claims = Record<string, unknown>;

const ROOT = join(__dirname, "..", "..");
const EXAMPLE = join(ROOT, "examples", "platform.yaml");

/** The issuer the intent document trusts; tokens are signed with this `iss`. */
const ISSUER = "https://ci.example.test";
const POOL = "projects/123456789012/locations/global/workloadIdentityPools/trustplane";
const GCP_AUD = (provider: string) => `https://iam.googleapis.com/${POOL}/providers/${provider}`;
const PRINCIPAL = (identity: string) =>
  `principalSet://iam.googleapis.com/${POOL}/attribute.trustplane_identity/${identity}`;
const AWS_AUD = "sts.amazonaws.com";
const AZURE_AUD = "api://AzureADTokenExchange";

const INTENT = `version: 1
issuers:
  ci:
    kind: oidc
    url: ${ISSUER}
    claims: [repository, environment]
    subjectTemplate: "repo:{repository}:env:{environment}"
targets:
  aws-prod: { cloud: aws, accountId: "111111111111" }
  azure-prod:
    cloud: azure
    tenantId: 00000000-0000-0000-0000-00000000000a
    subscriptionId: 00000000-0000-0000-0000-00000000000b
    resourceGroup: identities
    location: westeurope
  gcp-prod: { cloud: gcp, projectId: acme-prod, projectNumber: "123456789012" }
identities:
  - name: deploy
    issuer: ci
    subjects:
      - { repository: acme/api, environment: production }
    grants:
      - { target: aws-prod, managedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess] }
      - target: azure-prod
        roles:
          - { role: Reader, scope: /subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/app }
      - { target: gcp-prod, roles: [roles/viewer] }
`;

/** What the selector `{repository: acme/api, environment: production}` admits. */
const SELECTED = {
  sub: "repo:acme/api:env:production",
  repository: "acme/api",
  environment: "production",
};

const ALLOWED = {
  aws: 'statement 1 allows it: aud "sts.amazonaws.com" (StringEquals), sub "repo:acme/api:env:production" (StringEquals)',
  azure:
    "federated credential repo-acme-api-env-production-b02c79f4 matches issuer, subject and audience exactly",
  gcp: `attribute condition is true and ${PRINCIPAL("deploy")} matches`,
};

const NOTE_NO_AUD = "the token has no aud, so each grant was checked with the audience it expects";
const NOTE_UNCHECKED =
  "the JWT's signature, expiry and issuer were not checked; give --jwks to check them";

let jose: Jose;
let dir: string;
let intent: string;
let server: Server;
/** The JWKS URL, as the discovery document gives it. */
let jwksUrl: string;
let base: string;
let key: KeyPair;
let foreign: KeyPair;
/** How often each path was requested from the issuer. */
const hits = new Map<string, number>();

let fileCount = 0;
/** Writes `content` to a new file in the temporary folder and returns its path. */
function file(content: string, name = `token-${++fileCount}`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const now = () => Math.floor(Date.now() / 1000);

interface SignOptions {
  readonly claims?: Claims;
  readonly iss?: string;
  readonly aud?: string | string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly with?: KeyPair;
  readonly kid?: string;
}

/** A compact RS256 JWT, by default valid for five minutes and from `ISSUER`, with no aud. */
async function sign(o: SignOptions = {}): Promise<string> {
  const jwt = new jose.SignJWT({ ...SELECTED, ...o.claims })
    .setProtectedHeader({ alg: "RS256", kid: o.kid ?? "k1", typ: "JWT" })
    .setIssuer(o.iss ?? ISSUER)
    .setIssuedAt()
    .setExpirationTime(o.exp ?? now() + 300);
  if (o.aud !== undefined) jwt.setAudience(o.aud);
  if (o.nbf !== undefined) jwt.setNotBefore(o.nbf);
  return jwt.sign((o.with ?? key).privateKey);
}

interface Decision {
  identity: string;
  target: string;
  cloud: string;
  allowed: boolean;
  reason: string;
}

function body(r: Result): { decisions: Decision[]; notes: string[] } {
  assert.equal(r.err, "", "nothing on stderr");
  assert.equal(r.code, 0, "exit 0");
  const value = JSON.parse(r.out) as { decisions: Decision[]; notes: string[] };
  assert.deepEqual(Object.keys(value), ["decisions", "notes"]);
  return value;
}

/** The three decisions of `deploy`, with these verdicts. */
function deploy(aws: [boolean, string], azure: [boolean, string], gcp: [boolean, string]) {
  return [
    { identity: "deploy", target: "aws-prod", cloud: "aws", allowed: aws[0], reason: aws[1] },
    {
      identity: "deploy",
      target: "azure-prod",
      cloud: "azure",
      allowed: azure[0],
      reason: azure[1],
    },
    { identity: "deploy", target: "gcp-prod", cloud: "gcp", allowed: gcp[0], reason: gcp[1] },
  ];
}

const ALL_ALLOWED = deploy([true, ALLOWED.aws], [true, ALLOWED.azure], [true, ALLOWED.gcp]);

describe("trustplane explain", () => {
  before(async () => {
    jose = await import("jose");
    dir = mkdtempSync(join(tmpdir(), "trustplane-explain-"));
    intent = file(INTENT, "intent.yaml");
    [key, foreign] = await Promise.all([
      jose.generateKeyPair("RS256"),
      jose.generateKeyPair("RS256"),
    ]);
    const jwk = { ...(await jose.exportJWK(key.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    server = createServer((req, res) => {
      hits.set(req.url ?? "", (hits.get(req.url ?? "") ?? 0) + 1);
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/openid-configuration") {
        res.end(
          JSON.stringify({
            issuer: ISSUER,
            jwks_uri: `${base}/.well-known/jwks`,
            id_token_signing_alg_values_supported: ["RS256"],
            response_types_supported: ["id_token"],
            subject_types_supported: ["public"],
          }),
        );
      } else if (req.url === "/.well-known/jwks") {
        res.end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: "not found" }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const discovery = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as {
      jwks_uri: string;
    };
    jwksUrl = discovery.jwks_uri;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  describe("a real issuer: JWTs checked against its JWKS", () => {
    it("the document cannot name the local http issuer: the schema wants https", async () => {
      const r = await cli("check", file(INTENT.replace(ISSUER, base), "http-issuer.yaml"));
      assert.equal(r.code, 1);
      assert.match(
        r.err,
        /✖ error invalid_value: issuer URLs start with https:\/\/ and have a host, no port, query or fragment/,
      );
    });

    it("a valid token for the selector: allowed in AWS, Azure and GCP, the JWKS fetched", async () => {
      const fetched = hits.get("/.well-known/jwks") ?? 0;
      const jwt = file(await sign({ aud: [AWS_AUD, AZURE_AUD, GCP_AUD("deploy")] }));
      const r = await cli("explain", intent, "--token", jwt, "--jwks", jwksUrl, "--json");
      assert.deepEqual(body(r), { decisions: ALL_ALLOWED, notes: [] });
      assert.ok((hits.get("/.well-known/jwks") ?? 0) > fetched, "the key set was fetched");
    });

    it("a valid token without aud: each grant assumes its audience, and says so", async () => {
      const r = await cli("explain", intent, "--token", file(await sign()), "--jwks", jwksUrl);
      assert.equal(r.code, 0);
      assert.equal(r.err, "");
      assert.equal(
        r.out,
        [
          "identity  target      cloud  decision reason",
          `deploy    aws-prod    aws    allowed  ${ALLOWED.aws}`,
          `deploy    azure-prod  azure  allowed  ${ALLOWED.azure}`,
          `deploy    gcp-prod    gcp    allowed  ${ALLOWED.gcp}`,
          "",
          "3 grants of 3 allow this token",
          `note: ${NOTE_NO_AUD}`,
        ].join("\n"),
      );
    });

    it("a valid token for another environment: denied, with each cloud's reason", async () => {
      const jwt = file(
        await sign({
          aud: [AWS_AUD, AZURE_AUD, GCP_AUD("deploy")],
          claims: { sub: "repo:acme/api:env:staging", environment: "staging" },
        }),
      );
      const r = await cli("explain", intent, "--token", jwt, "--jwks", jwksUrl, "--json");
      assert.deepEqual(
        body(r).decisions,
        deploy(
          [
            false,
            'sub "repo:acme/api:env:staging" matched no value of StringEquals ci.example.test:sub (allowed: "repo:acme/api:env:production")',
          ],
          [false, 'no federated credential has subject "repo:acme/api:env:staging"'],
          [
            false,
            'attribute condition evaluated to false: assertion.environment == "production" does not hold',
          ],
        ),
      );
    });

    const refused: [string, () => Promise<string>, (jwt: string) => string][] = [
      [
        "an expired token",
        () => sign({ exp: now() - 600 }),
        (jwt) => `it expired at ${new Date(jose.decodeJwt(jwt).exp! * 1000).toISOString()}`,
      ],
      [
        "a token signed with another key under the same key ID",
        () => sign({ with: foreign }),
        () => "its signature does not verify against the JWKS",
      ],
      [
        "a token signed with another key under another key ID",
        () => sign({ with: foreign, kid: "k2" }),
        () => "no key in the JWKS matches its key ID and algorithm",
      ],
      [
        "a token with another iss",
        () => sign({ iss: "https://ci.example.test.evil.example" }),
        () =>
          `its issuer "https://ci.example.test.evil.example" is none of the document's issuers (${ISSUER})`,
      ],
      [
        "a token with nbf ten minutes ahead",
        () => sign({ nbf: now() + 600 }),
        (jwt) =>
          `it is not valid before ${new Date(jose.decodeJwt(jwt).nbf! * 1000).toISOString()}`,
      ],
    ];
    for (const [what, make, message] of refused) {
      it(`${what}: exit 1, one line on stderr, nothing on stdout`, async () => {
        const jwt = await make();
        const expected = message(jwt);
        for (const extra of [[], ["--json"]]) {
          const r = await cli("explain", intent, "--token", file(jwt), "--jwks", jwksUrl, ...extra);
          assert.deepEqual(r, {
            code: 1,
            out: "",
            err: `trustplane: the token is refused: ${expected}`,
          });
        }
      });
    }

    it("the same JWTs without --jwks are decoded, not checked, and say so", async () => {
      for (const jwt of [
        await sign({ aud: [AWS_AUD, AZURE_AUD, GCP_AUD("deploy")] }),
        await sign({ aud: [AWS_AUD, AZURE_AUD, GCP_AUD("deploy")], exp: now() - 600 }),
        await sign({ aud: [AWS_AUD, AZURE_AUD, GCP_AUD("deploy")], with: foreign }),
      ]) {
        const r = await cli("explain", intent, "--token", file(jwt), "--json");
        assert.deepEqual(body(r), { decisions: ALL_ALLOWED, notes: [NOTE_UNCHECKED] });
      }
    });

    // Fails today: refused (right), but as "trustplane: the token is refused: the token was
    // refused: Unsupported \"alg\" value for a JSON Web Key Set": "refused" twice, and jose's words
    // for what is an unsigned token. Expected: one line that says the token is not signed (or
    // that alg none is not accepted), "refused" once.
    it("an unsigned JWT (alg none): decoded without --jwks, refused in plain words with it", async () => {
      const [, payload] = (await sign()).split(".");
      const none = file(`${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.`);
      const r = await cli("explain", intent, "--token", none, "--json");
      assert.deepEqual(body(r), { decisions: ALL_ALLOWED, notes: [NOTE_NO_AUD, NOTE_UNCHECKED] });
      const checked = await cli("explain", intent, "--token", none, "--jwks", jwksUrl);
      assert.equal(checked.code, 1);
      assert.equal(checked.out, "");
      assert.match(checked.err, /^trustplane: the token is refused: [^\n]+$/);
      assert.doesNotMatch(checked.err, /refused.*refused/, checked.err);
      assert.match(checked.err, /unsigned|not signed|alg "?none"?/, checked.err);
    });

    it("--jwks FILE: a JWKS file works like the URL", async () => {
      const jwk = { ...(await jose.exportJWK(key.publicKey)), kid: "k1", alg: "RS256" };
      const jwks = file(JSON.stringify({ keys: [jwk] }), "jwks.json");
      const good = file(await sign({ aud: [AWS_AUD, AZURE_AUD, GCP_AUD("deploy")] }));
      const r = await cli("explain", intent, "--token", good, "--jwks", jwks, "--json");
      assert.deepEqual(body(r), { decisions: ALL_ALLOWED, notes: [] });
      const forged = file(await sign({ with: foreign }));
      assert.deepEqual(await cli("explain", intent, "--token", forged, "--jwks", jwks), {
        code: 1,
        out: "",
        err: "trustplane: the token is refused: its signature does not verify against the JWKS",
      });
    });

    it("--jwks with a JSON claims token: exit 2, it has no signature to check", async () => {
      const claims = file(JSON.stringify({ iss: ISSUER, ...SELECTED }));
      assert.deepEqual(await cli("explain", intent, "--token", claims, "--jwks", jwksUrl), {
        code: 2,
        out: "",
        err: "trustplane: --jwks checks a JWT's signature, and the token is a JSON object of claims",
      });
    });

    // Fails today: exit 1 and "trustplane: the token is refused: cannot read the JWKS <path>:
    // ENOENT: no such file or directory, open '<path>'". The token was not refused, the key set
    // could not be read: that is unreadable input, exit 2 by the usage text, and the message
    // should read like the one for a missing token file ("cannot read the token X: no such file").
    it("--jwks naming a missing file: exit 2 and a clear message", async () => {
      const missing = join(dir, "no-such-jwks.json");
      const r = await cli("explain", intent, "--token", file(await sign()), "--jwks", missing);
      assert.deepEqual(r, {
        code: 2,
        out: "",
        err: `trustplane: cannot read the JWKS ${missing}: no such file`,
      });
    });

    // Fails today: a JWKS URL that answers 404, that serves something other than a key set (the
    // discovery document, a common mix-up), or where nothing listens, all give exit 1 and
    // "trustplane: the token is refused: the token was refused: Expected 200 OK from the JSON Web
    // Key Set HTTP response" / "...: the token was refused: JSON Web Key Set malformed" /
    // "...: the JWKS could not be used: fetch failed". The token was never checked, "refused" is
    // said twice, and the URL is not named. Expected: exit 2 (unreadable input), one line that
    // names the JWKS URL and does not say the token was refused.
    it("--jwks naming an unusable URL: exit 2, the URL named, the token not called refused", async () => {
      const jwt = file(await sign());
      for (const url of [
        `${base}/no-such-path`,
        `${base}/.well-known/openid-configuration`,
        "http://127.0.0.1:1/.well-known/jwks",
      ]) {
        const r = await cli("explain", intent, "--token", jwt, "--jwks", url);
        const seen = `${url}: exit ${r.code}, ${JSON.stringify(r.err)}`;
        assert.equal(r.out, "", seen);
        assert.match(r.err, /^trustplane: [^\n]+$/, seen);
        assert.equal(r.code, 2, seen);
        assert.ok(r.err.includes(url), `does not name the URL: ${seen}`);
        assert.doesNotMatch(r.err, /refused/, seen);
      }
    });

    // Fails today: `run()` rejects with "TypeError: Invalid URL" (code ERR_INVALID_URL): in
    // verifyJwt (lib/inspect/token.ts) `new URL(jwks)` is outside any try, and run() promises to
    // never throw. From the shell, node prints the stack and exits 1 (an unhandled rejection).
    it("--jwks http:// (not a URL): exit 2 with a message, no exception", async () => {
      let r: Result | undefined;
      try {
        r = await cli("explain", intent, "--token", file(await sign()), "--jwks", "http://");
      } catch (e) {
        assert.fail(`run() threw ${String(e)}`);
      }
      assert.equal(r.code, 2);
      assert.equal(r.out, "");
      assert.match(r.err, /^trustplane: [^\n]*JWKS[^\n]*http:\/\/[^\n]*$/);
    });
  });

  describe("wrong audiences: every cloud names the audience it refused", () => {
    const FOREIGN_AUD = "https://wrong.example.test";
    const notAws = (aud: string) =>
      `aud "${aud}" is not a client ID of the OIDC provider (sts.amazonaws.com)`;
    const notAzure = (aud: string) =>
      `federated credential repo-acme-api-env-production-b02c79f4 has subject "repo:acme/api:env:production" but audience "api://AzureADTokenExchange", and the token's aud is "${aud}"`;
    const notGcp = (aud: string) =>
      `aud "${aud}" is not among the provider's allowed audiences (${GCP_AUD("deploy")})`;

    const cases: [string, string, ReturnType<typeof deploy>][] = [
      [
        "a foreign audience",
        FOREIGN_AUD,
        deploy(
          [false, notAws(FOREIGN_AUD)],
          [false, notAzure(FOREIGN_AUD)],
          [false, notGcp(FOREIGN_AUD)],
        ),
      ],
      [
        "AWS's audience",
        AWS_AUD,
        deploy([true, ALLOWED.aws], [false, notAzure(AWS_AUD)], [false, notGcp(AWS_AUD)]),
      ],
      [
        "Azure's audience",
        AZURE_AUD,
        deploy([false, notAws(AZURE_AUD)], [true, ALLOWED.azure], [false, notGcp(AZURE_AUD)]),
      ],
      [
        "GCP's audience",
        GCP_AUD("deploy"),
        deploy(
          [false, notAws(GCP_AUD("deploy"))],
          [false, notAzure(GCP_AUD("deploy"))],
          [true, ALLOWED.gcp],
        ),
      ],
    ];
    for (const [what, aud, decisions] of cases) {
      it(`${what}: only the cloud that expects it allows, on a verified JWT`, async () => {
        const jwt = file(await sign({ aud }));
        const r = await cli("explain", intent, "--token", jwt, "--jwks", jwksUrl, "--json");
        assert.deepEqual(body(r), { decisions, notes: [] });
      });
    }

    // Fails today: an empty aud list is printed as nothing: 'aud  is not a client ID of the OIDC
    // provider (sts.amazonaws.com)', 'aud  is not among the provider's allowed audiences (...)',
    // "... and the token's aud is " (nothing after it). The denials are right; the reasons do not
    // say what the token's aud was.
    it("an empty aud list: denied everywhere, and the reasons say the list is empty", async () => {
      const claims = file(JSON.stringify({ iss: ISSUER, ...SELECTED, aud: [] }));
      const { decisions, notes } = body(await cli("explain", intent, "--token", claims, "--json"));
      assert.deepEqual(notes, []);
      for (const d of decisions) {
        assert.equal(d.allowed, false, d.cloud);
        assert.match(d.reason, /\[\]|empty|no aud/, `${d.cloud}: ${d.reason}`);
      }
    });

    // Fails today: a non-string aud (here 123) is taken for a missing one, so every grant
    // "assumes its audience" and ALLOWS the token, with the note "the token has no aud", which
    // is false. No cloud admits a token whose aud is a number: AWS, Entra and GCP all compare
    // aud with configured strings. Expected: denied in every cloud, the reason naming aud.
    it("a numeric aud is a wrong audience, not a missing one", async () => {
      const claims = file(JSON.stringify({ iss: ISSUER, ...SELECTED, aud: 123 }));
      const { decisions, notes } = body(await cli("explain", intent, "--token", claims, "--json"));
      for (const d of decisions) {
        assert.equal(d.allowed, false, `${d.cloud} allowed: ${d.reason}`);
        assert.match(d.reason, /aud/, d.cloud);
      }
      assert.ok(!notes.includes(NOTE_NO_AUD), "the token has an aud");
    });
  });

  describe("reading the token", () => {
    it("a JSON claims file and the same claims as a JWT give the same decisions", async () => {
      const claims = { iss: ISSUER, ...SELECTED };
      const fromJson = body(
        await cli("explain", intent, "--token", file(JSON.stringify(claims, null, 2)), "--json"),
      );
      assert.deepEqual(fromJson, { decisions: ALL_ALLOWED, notes: [NOTE_NO_AUD] });
      // surrounding whitespace and a trailing newline, as `echo $TOKEN > file` leaves, are fine
      const fromJwt = body(
        await cli("explain", intent, "--token", file(`  ${await sign()}\n`), "--json"),
      );
      assert.deepEqual(fromJwt, { decisions: ALL_ALLOWED, notes: [NOTE_NO_AUD, NOTE_UNCHECKED] });
    });

    it("--token - reads standard input (through the real entry point)", async () => {
      // run() reads fd 0 itself, which in-process would be mocha's stdin: spawn the entry
      const child = spawnSync(
        process.execPath,
        ["--import", "tsx", "lib/cli/main.ts", "explain", intent, "--token", "-", "--json"],
        { cwd: ROOT, encoding: "utf8", timeout: 15_000, input: `${await sign()}\n` },
      );
      assert.equal(child.error, undefined);
      assert.equal(child.stderr, "");
      assert.equal(child.status, 0);
      assert.deepEqual(JSON.parse(child.stdout), {
        decisions: ALL_ALLOWED,
        notes: [NOTE_NO_AUD, NOTE_UNCHECKED],
      });
    });

    const NOT_A_TOKEN =
      "trustplane: the token is neither a JWT (header.payload.signature) nor a JSON object of claims";
    const b64 = (s: string) => Buffer.from(s).toString("base64url");
    const malformed: [string, string, string][] = [
      ["not JSON", "iss: https://ci.example.test\n", NOT_A_TOKEN],
      ["an empty file", "", NOT_A_TOKEN],
      ["only whitespace", " \n\t\n", NOT_A_TOKEN],
      [
        "a JSON array",
        JSON.stringify([{ iss: ISSUER }]),
        "trustplane: a token given as JSON must be an object of claims",
      ],
      ["JSON null", "null", "trustplane: a token given as JSON must be an object of claims"],
      ["a JSON string", '"eyJ"', "trustplane: a token given as JSON must be an object of claims"],
      [
        "a JWT whose payload is not JSON",
        `${b64('{"alg":"RS256"}')}.${b64("not json")}.c2ln`,
        "trustplane: the JWT's payload is not a JSON object",
      ],
      [
        "a JWT whose payload is a JSON array",
        `${b64('{"alg":"RS256"}')}.${b64("[1]")}.c2ln`,
        "trustplane: the JWT's payload is not a JSON object",
      ],
      ["a JWT with two parts", `${b64('{"alg":"RS256"}')}.${b64("{}")}`, NOT_A_TOKEN],
    ];
    for (const [what, text, message] of malformed) {
      it(`2 for ${what}, with the exact message`, async () => {
        const path = file(text);
        assert.deepEqual(await cli("explain", intent, "--token", path), {
          code: 2,
          out: "",
          err: message,
        });
        assert.deepEqual(await cli("explain", intent, "--token", path, "--json"), {
          code: 2,
          out: "",
          err: message,
        });
      });
    }

    it("2 for a missing token file", async () => {
      const missing = join(dir, "no-such-token");
      assert.deepEqual(await cli("explain", intent, "--token", missing), {
        code: 2,
        out: "",
        err: `trustplane: cannot read the token ${missing}: no such file`,
      });
    });

    const usage: [string, string[], string][] = [
      [
        "--token given to plan",
        ["plan", EXAMPLE, "--token", "t.json"],
        "--token, --jwks, --identity and --expect belong to explain",
      ],
      [
        "--jwks given to check",
        ["check", EXAMPLE, "--jwks", "k.json"],
        "--token, --jwks, --identity and --expect belong to explain",
      ],
      ["explain without --token", ["explain", EXAMPLE], "explain needs --token PATH"],
      [
        "explain without --token, with --jwks",
        ["explain", EXAMPLE, "--jwks", "k.json"],
        "explain needs --token PATH",
      ],
      [
        "--token without a value",
        ["explain", EXAMPLE, "--token"],
        "--token needs a token file, or - for standard input",
      ],
    ];
    for (const [what, argv, problem] of usage) {
      it(`2 and the usage for ${what}`, async () => {
        const r = await cli(...argv);
        assert.equal(r.code, 2);
        assert.equal(r.out, "");
        assert.ok(r.err.startsWith(`trustplane: ${problem}\n\nusage: trustplane`), r.err);
      });
    }
  });

  describe("why was my workflow refused? (examples/platform.yaml, GitHub tokens)", () => {
    const GH = "token.actions.githubusercontent.com";

    /** A GitHub Actions token's claims as GitHub issues them, without aud (it is requested). */
    function github(job: Readonly<Record<string, string>>): Claims {
      const claims: Record<string, string> = {
        jti: "5b9bd1a8-8c2f-4d7e-9d56-2f0c7c1c5a11",
        iss: `https://${GH}`,
        repository: "acme/api",
        repository_id: "734512299",
        repository_owner: "acme",
        repository_owner_id: "1342004",
        repository_visibility: "private",
        actor: "octocat",
        actor_id: "583231",
        workflow: "deploy",
        workflow_ref: "acme/api/.github/workflows/deploy.yml@refs/heads/main",
        job_workflow_ref: "acme/api/.github/workflows/deploy.yml@refs/heads/main",
        sha: "3f786850e387550fdab836ed7e6dc881de23001b",
        run_id: "9876543210",
        run_number: "42",
        run_attempt: "1",
        runner_environment: "github-hosted",
        event_name: "push",
        ref: "refs/heads/main",
        ref_type: "branch",
        ...job,
      };
      const context =
        claims.environment !== undefined
          ? `environment:${claims.environment}`
          : claims.event_name === "pull_request"
            ? "pull_request"
            : `ref:${claims.ref}`;
      // GitHub's sub (legacy format) comes first; the times are fixed and long past: explain
      // without --jwks does not look at them
      const times = { iat: 1764240000, nbf: 1764239700, exp: 1764240900 };
      return { sub: `repo:${claims.repository}:${context}`, ...claims, ...times };
    }

    async function table(claims: Claims): Promise<string> {
      const r = await cli("explain", EXAMPLE, "--token", file(JSON.stringify(claims)));
      assert.equal(r.err, "");
      assert.equal(r.code, 0, "explain exits 0 whatever the decisions");
      return r.out;
    }

    const HEAD = "identity     target      cloud  decision reason";
    const GCP_ALL_DEPLOY = (id: string) =>
      `attribute condition is true and ${PRINCIPAL(id)} matches`;
    /** What api-deploy's trust policy allows in sub, as AWS denials list it. */
    const DEPLOY_SUBS =
      '(allowed: "repo:acme/api:environment:production", "repo:acme/api:environment:qa", "repo:acme/api:environment:staging", "repo:acme/api:ref:refs/heads/main")';
    const DEPLOY_AWS = (sub: string) =>
      `api-deploy   aws-prod    aws    denied   sub "${sub}" matched no value of StringEquals ${GH}:sub ${DEPLOY_SUBS}`;
    const RELEASE_REF_AWS = (ref: string) =>
      `api-release  aws-prod    aws    denied   ref "${ref}" matched no value of StringLike ${GH}:ref (allowed: "refs/tags/v*")`;
    const RELEASE_REF_GCP =
      'api-release  gcp-prod    gcp    denied   attribute condition evaluated to false: assertion.ref.startsWith("refs/tags/v") does not hold';
    const WEB_SUB = "repo:acme@1342004/web@987654321:environment:production";
    const web = (sub: string, gcp: string) => [
      `web-deploy   aws-prod    aws    denied   sub "${sub}" matched no value of StringEquals ${GH}:sub (allowed: "${WEB_SUB}")`,
      `web-deploy   azure-prod  azure  denied   no federated credential has subject "${sub}"`,
      `web-deploy   gcp-prod    gcp    denied   attribute condition evaluated to false: ${gcp}`,
    ];
    const WEB_NO_ENV = "has(assertion.environment) does not hold";

    it("a pull_request job: denied everywhere; AWS names StringEquals on :sub", async () => {
      const sub = "repo:acme/api:pull_request";
      const out = await table(
        github({
          event_name: "pull_request",
          ref: "refs/pull/17/merge",
          head_ref: "feature/x",
          base_ref: "main",
        }),
      );
      assert.equal(
        out,
        [
          HEAD,
          DEPLOY_AWS(sub),
          `api-deploy   azure-prod  azure  denied   no federated credential has subject "${sub}"`,
          'api-deploy   gcp-prod    gcp    denied   attribute condition evaluated to false: in each of its 3 alternatives a test fails: assertion.ref == "refs/heads/main" does not hold; has(assertion.environment) does not hold; has(assertion.environment) does not hold',
          RELEASE_REF_AWS("refs/pull/17/merge"),
          RELEASE_REF_GCP,
          ...web(sub, WEB_NO_ENV),
          "",
          "0 grants of 8 allow this token",
          `note: ${NOTE_NO_AUD}`,
        ].join("\n"),
      );
    });

    it("a push to main without environment: api-deploy allowed in all three clouds", async () => {
      const sub = "repo:acme/api:ref:refs/heads/main";
      assert.equal(
        await table(github({})),
        [
          HEAD,
          `api-deploy   aws-prod    aws    allowed  statement 1 allows it: aud "sts.amazonaws.com" (StringEquals), sub "${sub}" (StringEquals)`,
          "api-deploy   azure-prod  azure  allowed  federated credential repo-acme-api-ref-refs-heads-main-c9bc684b matches issuer, subject and audience exactly",
          `api-deploy   gcp-prod    gcp    allowed  ${GCP_ALL_DEPLOY("api-deploy")}`,
          RELEASE_REF_AWS("refs/heads/main"),
          RELEASE_REF_GCP,
          ...web(sub, WEB_NO_ENV),
          "",
          "3 grants of 8 allow this token",
          `note: ${NOTE_NO_AUD}`,
        ].join("\n"),
      );
    });

    it("a job on tag v1.2: api-release allowed in AWS and GCP, api-deploy denied", async () => {
      const sub = "repo:acme/api:ref:refs/tags/v1.2";
      assert.equal(
        await table(github({ ref: "refs/tags/v1.2", ref_type: "tag" })),
        [
          HEAD,
          DEPLOY_AWS(sub),
          `api-deploy   azure-prod  azure  denied   no federated credential has subject "${sub}"`,
          'api-deploy   gcp-prod    gcp    denied   attribute condition evaluated to false: in each of its 3 alternatives a test fails: assertion.ref == "refs/heads/main" does not hold; has(assertion.environment) does not hold; has(assertion.environment) does not hold',
          `api-release  aws-prod    aws    allowed  statement 1 allows it: aud "sts.amazonaws.com" (StringEquals), ref "refs/tags/v1.2" (StringLike), sub "${sub}" (StringLike)`,
          `api-release  gcp-prod    gcp    allowed  ${GCP_ALL_DEPLOY("api-release")}`,
          ...web(sub, WEB_NO_ENV),
          "",
          "2 grants of 8 allow this token",
          `note: ${NOTE_NO_AUD}`,
        ].join("\n"),
      );
    });

    it("a push to main requested with aud sts.amazonaws.com: Azure and GCP deny on it", async () => {
      const sub = "repo:acme/api:ref:refs/heads/main";
      assert.equal(
        await table(github({ aud: AWS_AUD })),
        [
          HEAD,
          `api-deploy   aws-prod    aws    allowed  statement 1 allows it: aud "sts.amazonaws.com" (StringEquals), sub "${sub}" (StringEquals)`,
          `api-deploy   azure-prod  azure  denied   federated credential repo-acme-api-ref-refs-heads-main-c9bc684b has subject "${sub}" but audience "api://AzureADTokenExchange", and the token's aud is "sts.amazonaws.com"`,
          `api-deploy   gcp-prod    gcp    denied   aud "sts.amazonaws.com" is not among the provider's allowed audiences (${GCP_AUD("api-deploy")})`,
          RELEASE_REF_AWS("refs/heads/main"),
          `api-release  gcp-prod    gcp    denied   aud "sts.amazonaws.com" is not among the provider's allowed audiences (${GCP_AUD("api-release")})`,
          `web-deploy   aws-prod    aws    denied   sub "${sub}" matched no value of StringEquals ${GH}:sub (allowed: "${WEB_SUB}")`,
          `web-deploy   azure-prod  azure  denied   no federated credential has subject "${sub}"`,
          `web-deploy   gcp-prod    gcp    denied   aud "sts.amazonaws.com" is not among the provider's allowed audiences (${GCP_AUD("web-deploy")})`,
          "",
          "1 grant of 8 allow this token",
        ].join("\n"),
      );
    });

    it("environment Production (wrong case): Azure has no credential with that subject", async () => {
      const sub = "repo:acme/api:environment:Production";
      assert.equal(
        await table(github({ environment: "Production" })),
        [
          HEAD,
          `api-deploy   aws-prod    aws    denied   sub "${sub}" matched no value of StringEquals ${GH}:sub ("repo:acme/api:environment:production" differs only in case, and IAM compares values case-sensitively)`,
          `api-deploy   azure-prod  azure  denied   no federated credential has subject "${sub}"; "repo:acme/api:environment:production" differs only in case, and Entra compares case-sensitively`,
          'api-deploy   gcp-prod    gcp    denied   attribute condition evaluated to false: in each of its 3 alternatives a test fails: !has(assertion.environment) does not hold; assertion.environment == "production" does not hold; assertion.environment in ["qa", "staging"] does not hold',
          RELEASE_REF_AWS("refs/heads/main"),
          RELEASE_REF_GCP,
          ...web(sub, 'assertion.environment == "production" does not hold'),
          "",
          "0 grants of 8 allow this token",
          `note: ${NOTE_NO_AUD}`,
        ].join("\n"),
      );
    });
  });

  describe("notes: what the token's sub says beyond the decisions (library explain)", () => {
    const loaded = readIntentFile(EXAMPLE);
    const platform = "data" in loaded ? loaded.data : undefined;

    /** A GitHub token of acme/api's production environment, its sub in the legacy format. */
    const API = {
      iss: "https://token.actions.githubusercontent.com",
      sub: "repo:acme/api:environment:production",
      repository: "acme/api",
      repository_id: "734512299",
      repository_owner: "acme",
      repository_owner_id: "1342004",
      environment: "production",
      ref: "refs/heads/main",
      ref_type: "branch",
      event_name: "push",
    };
    /** The same repository and environment for acme/web, web-deploy's repository. */
    const WEB = {
      ...API,
      sub: "repo:acme/web:environment:production",
      repository: "acme/web",
      repository_id: "987654321",
    };

    function explained(claims: TokenClaims, document: unknown = platform): Explanation {
      const { explanation, issues } = explain(document, claims);
      assert.ok(explanation, JSON.stringify(issues));
      return explanation;
    }
    /** Each cloud's decision for one identity. */
    const verdicts = (e: Explanation, identity: string) =>
      Object.fromEntries(
        e.decisions.filter((d) => d.identity === identity).map((d) => [d.cloud, d.allowed]),
      );
    const CONSEQUENCE =
      "AWS and Azure match sub and refuse the token, GCP checks the claims and may allow it";
    const forged = (claim: string, sub: string, value: string) =>
      `this token cannot come from GitHub Actions: its sub says ${claim} ${JSON.stringify(sub)} while its ${claim} claim is ${JSON.stringify(value)}`;

    it("an immutable sub against the legacy issuer: AWS and Azure deny, GCP allows, the note says subjectFormat: immutable", () => {
      const e = explained({
        ...API,
        sub: "repo:acme@1342004/api@734512299:environment:production",
      });
      assert.deepEqual(verdicts(e, "api-deploy"), { aws: false, azure: false, gcp: true });
      assert.deepEqual(e.notes, [
        `the token's sub has GitHub's immutable format (repo:OWNER@OWNER_ID/REPO@REPO_ID:...) and issuer "github" (identity api-deploy) has subjectFormat legacy, the default: ${CONSEQUENCE}; set subjectFormat: immutable on issuer "github"`,
      ]);
      // the same job with its sub in the legacy format: allowed everywhere, nothing to note
      const legacy = explained(API);
      assert.deepEqual(verdicts(legacy, "api-deploy"), { aws: true, azure: true, gcp: true });
      assert.deepEqual(legacy.notes, []);
    });

    it("the reverse: a legacy sub against the immutable issuer names subjectFormat: legacy", () => {
      const e = explained(WEB);
      assert.deepEqual(verdicts(e, "web-deploy"), { aws: false, azure: false, gcp: true });
      assert.deepEqual(e.notes, [
        `the token's sub has GitHub's legacy format (repo:OWNER/REPO:...) and issuer "github-ids" (identity web-deploy) has subjectFormat immutable: ${CONSEQUENCE}; set subjectFormat: legacy on issuer "github-ids", or opt the repository into immutable subjects`,
      ]);
      const immutable = explained({
        ...WEB,
        sub: "repo:acme@1342004/web@987654321:environment:production",
      });
      assert.deepEqual(verdicts(immutable, "web-deploy"), { aws: true, azure: true, gcp: true });
      assert.deepEqual(immutable.notes, []);
    });

    it("no format note for identities the token is not meant for (the document mixes formats)", () => {
      // a legacy acme/api token: github-ids is immutable, but web-deploy's subjects refuse it anyway
      const e = explained({ ...API, environment: "qa", sub: "repo:acme/api:environment:qa" });
      assert.deepEqual(verdicts(e, "web-deploy"), { aws: false, azure: false, gcp: false });
      assert.deepEqual(e.notes, []);
    });

    it("a sub that contradicts the token's claims: one note per claim, in the claim's own words", () => {
      assert.deepEqual(
        explained({ ...API, repository: "acme/web", environment: "staging" }).notes,
        [
          forged("repository", "acme/api", "acme/web"),
          forged("environment", "production", "staging"),
        ],
      );
      // the immutable form shows the IDs too
      const ids = explained({ ...API, sub: "repo:acme@1342004/api@111:environment:production" });
      assert.deepEqual(ids.notes.slice(1), [forged("repository_id", "111", "734512299")]);
      assert.match(ids.notes[0]!, /^the token's sub has GitHub's immutable format/);
    });

    it("GitLab: a sub whose project_path and ref are not the token's", () => {
      const gitlab = oneIdentity({ kind: "gitlab" }, [
        { project_path: "acme/api", ref_type: "branch", ref: "main" },
      ]);
      const claims = {
        iss: "https://gitlab.com",
        sub: "project_path:acme/api:ref_type:branch:ref:main",
        project_path: "acme/web",
        namespace_path: "acme",
        ref_type: "branch",
        ref: "dev",
      };
      const gl = (claim: string, sub: string, value: string) =>
        `this token cannot come from GitLab CI: its sub says ${claim} ${JSON.stringify(sub)} while its ${claim} claim is ${JSON.stringify(value)}`;
      assert.deepEqual(explained(claims, gitlab).notes, [
        gl("project_path", "acme/api", "acme/web"),
        gl("ref", "main", "dev"),
      ]);
      const consistent = { ...claims, project_path: "acme/api", ref: "main" };
      assert.deepEqual(explained(consistent, gitlab).notes, []);
    });

    it("a sub that agrees with the claims gets no note; changing any claim it shows gets one", () => {
      // a repository's own include_claim_keys; GitHub writes ':' in environment as '%3A'
      const workflow = "acme/api/.github/workflows/deploy.yml@refs/heads/main";
      const consistent = {
        ...API,
        sub: `repo:acme/api:environment:eu%3Aprod:job_workflow_ref:${workflow}`,
        environment: "eu:prod",
        job_workflow_ref: workflow,
      };
      assert.deepEqual(explained(consistent).notes, []);
      const changed: [string, string, string][] = [
        ["repository", "acme/api", "acme/web"],
        ["repository_owner", "acme", "acme-corp"],
        ["environment", "eu%3Aprod", "eu:staging"],
        ["job_workflow_ref", workflow, workflow.replace("deploy", "evil")],
      ];
      for (const [claim, sub, value] of changed) {
        assert.deepEqual(explained({ ...consistent, [claim]: value }).notes, [
          forged(claim, sub, value),
        ]);
      }
    });

    it("hostile subs never throw: __proto__, 10 KB, repeated keys, not a string", () => {
      const long = "x".repeat(10_000);
      const subs: unknown[] = [
        "__proto__",
        "repo:__proto__:__proto__:__proto__",
        "constructor:toString:environment:__proto__",
        `repo:acme/api:environment:${long}`,
        "environment:staging:".repeat(600),
        long,
        42,
        null,
        { repo: "acme/api" },
        ["repo:acme/api:environment:production"],
      ];
      for (const sub of subs) {
        const { notes } = explained({ ...API, sub });
        assert.ok(
          notes.every((n) => typeof n === "string" && n.length < 400),
          String(sub),
        );
      }
      // a long sub's note quotes a bounded excerpt; repeated keys give one note, not hundreds
      const truncated = `${JSON.stringify(long.slice(0, 100)).slice(0, -1)}… (10000 characters)"`;
      assert.deepEqual(explained({ ...API, sub: `repo:acme/api:environment:${long}` }).notes, [
        `this token cannot come from GitHub Actions: its sub says environment ${truncated} while its environment claim is "production"`,
      ]);
      assert.deepEqual(
        explained({ ...API, sub: `repo:acme/api${":environment:staging".repeat(600)}` }).notes,
        [forged("environment", "staging", "production")],
      );
    });
  });
});
