// Issue 10: every promise of the CLI contract holds under hostile input — exit codes, no stack
// trace, bounded reads, the library answering bad input with issues, and text that shows what
// it is. One test (or a few) per item of the issue.
//
// What these tests do NOT prove:
// - that every hostile input is handled: they try the shapes the issue lists and a few more;
// - how a terminal renders what is printed: they check the characters written, not the display;
// - anything over a real network: the key sets are served on 127.0.0.1;
// - limits on a FIFO or a socket given as a file: /dev/zero stands for every endless input.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { analyse, check, compile } from "../lib/compile";
import { TrustplaneError, formatPath } from "../lib/errors";
import { explain } from "../lib/inspect/explain";
import { readToken } from "../lib/inspect/token";
import { loadText } from "../lib/intent/load";
import { StackValues } from "../lib/render/outputs";
import { cli } from "./support/cli";
import { grantsIn, oneIdentity } from "./support/documents";

type Json = Record<string, unknown>;

const GITHUB = { kind: "github" };
const API = { repository: "acme/api", environment: "production" };
const DOCUMENT = oneIdentity(GITHUB, [API], grantsIn("aws", "gcp"));

let dir: string;
let files = 0;
function file(content: string, name = `f-${++files}`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const DOCUMENT_FILE = () => file(JSON.stringify(DOCUMENT), `intent-${++files}.json`);

/** `code path` of each error of a document. */
function errors(document: unknown): string[] {
  return check(document)
    .filter((i) => i.severity === "error")
    .map((i) => `${i.code} ${formatPath(i.path)}`);
}

/** A local HTTP server answering every request with `handler`; its base URL. */
async function serve(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const JWT = [
  Buffer.from(JSON.stringify({ alg: "RS256", kid: "k" })).toString("base64url"),
  Buffer.from(
    JSON.stringify({ iss: "https://token.actions.githubusercontent.com", sub: "x" }),
  ).toString("base64url"),
  "c2ln",
].join(".");

describe("hostile input (issue 10)", () => {
  before(() => (dir = mkdtempSync(join(tmpdir(), "trustplane-hostile-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("4: U+FEFF, which Terraform keeps in HCL and drops in JSON, never reaches a file", () => {
    it("refused in the document and in stack outputs, with the path", async () => {
      const document = oneIdentity(GITHUB, [API], grantsIn("aws")) as Json;
      (document.identities as Json[])[0]!.handoff = {
        awsRegion: "eu-west-1",
        backend: { target: "aws-prod", bucket: "state-bucket", key: "\ufeffapi.tfstate" },
      };
      assert.deepStrictEqual(errors(document), ["invalid_value identities[0].handoff.backend.key"]);
      const stacks = new StackValues();
      const issues = stacks.add(
        {
          summary: {
            identities: { deploy: { grants: { "azure-prod": { clientId: "\ufeffx" } } } },
          },
        },
        "stack.json",
      );
      assert.deepStrictEqual(
        issues.map((i) => i.message),
        [
          "stack.json at summary.identities.deploy.grants.azure-prod.clientId: the text holds the invisible character U+FEFF, which would show differently from what it means; remove it",
        ],
      );
      const outputs = file(
        JSON.stringify({
          summary: {
            identities: { deploy: { grants: { "azure-prod": { clientId: "\ufeffx" } } } },
          },
        }),
      );
      const r = await cli(
        "render",
        DOCUMENT_FILE(),
        "--out",
        join(dir, "o4"),
        "--outputs",
        outputs,
      );
      assert.equal(r.code, 2);
      assert.match(r.err, /U\+FEFF/);
    });
  });

  describe("5: YAML that is not JSON data is a syntax error where it is written", () => {
    const cases: [string, string, RegExp][] = [
      ["!!set", "a: !!set {x, y}", /^1:10 .*the tag !!set is not JSON data/],
      ["!!binary", "a: !!binary aGVsbG8=", /^1:13 .*the tag !!binary is not JSON data/],
      ["!!timestamp", "a: !!timestamp 2001-12-14", /^1:16 .*the tag !!timestamp is not JSON data/],
      [".inf", "a: .inf", /^1:4 .*\.inf is not a JSON number/],
      ["-.Inf", "a:\n  - -.Inf", /^2:5 .*-\.Inf is not a JSON number/],
      [".nan", "a: .NaN", /^1:4 .*\.NaN is not a JSON number/],
      [
        "a merge key",
        "a:\n  <<: {b: 1}",
        /^2:3 .*YAML merge keys \(<<\) are not JSON data; write the keys out/,
      ],
    ];
    for (const [what, text, message] of cases) {
      it(`${what}: invalid_syntax at its line and column`, () => {
        const { issues } = loadText(text);
        assert.equal(issues.length, 1);
        assert.equal(issues[0]!.code, "invalid_syntax");
        assert.match(`${issues[0]!.line}:${issues[0]!.column} ${issues[0]!.message}`, message);
      });
    }

    it("quoted, the same words are strings", () => {
      assert.deepStrictEqual(loadText("a: '.inf'\nb: \"<<\"\n'<<': x").data, {
        a: ".inf",
        b: "<<",
        "<<": "x",
      });
    });

    it("an inline policy keeps exactly its JSON: a tag in it is refused, exit 2", async () => {
      const text = JSON.stringify(DOCUMENT).replace(
        '"managedPolicyArns"',
        '"inlinePolicies": {"s3": {"Version": "2012-10-17", "Statement": !!set {a}}}, "managedPolicyArns"',
      );
      const r = await cli("check", file(text));
      assert.equal(r.code, 2);
      assert.match(r.err, /the tag !!set is not JSON data/);
    });
  });

  describe("6: an unpaired surrogate is refused where it is, never a crash", () => {
    it("in a claim value, a backend key and a key: invalid_value at each path", () => {
      const document = oneIdentity(
        GITHUB,
        [{ ...API, environment: "a\ud800b" }],
        grantsIn("gcp"),
      ) as Json;
      (document.identities as Json[])[0]!.handoff = {
        backend: { target: "gcp-prod", bucket: "state-bucket", prefix: "x\udc00" },
      };
      (document.identities as Json[])[0]!["\ud83d"] = 1;
      assert.deepStrictEqual(errors(document), [
        'invalid_value identities[0]["\\ud83d"]',
        "invalid_value identities[0].handoff.backend.prefix",
        "invalid_value identities[0].subjects[0].environment",
      ]);
      assert.match(check(document)[2]!.message, /unpaired UTF-16 surrogate \(U\+D800\)/);
    });

    it("in a token: explain says which claim, the library answers with issues", async () => {
      const r = await cli(
        "explain",
        DOCUMENT_FILE(),
        "--token",
        file('{"iss": "x", "sub": "a\\ud800"}'),
      );
      assert.equal(r.code, 2);
      assert.equal(
        r.err,
        "trustplane: the token's claim sub: the text holds an unpaired UTF-16 surrogate (U+D800), which is not text",
      );
      const { explanation, issues } = explain(DOCUMENT, { iss: "x", sub: "a\ud800" });
      assert.equal(explanation, undefined);
      assert.deepStrictEqual(
        issues.map((i) => formatPath(i.path)),
        ["token.sub"],
      );
    });
  });

  describe("7: a value that contains itself", () => {
    const recursive = JSON.stringify(DOCUMENT).replace(
      '"managedPolicyArns"',
      '"inlinePolicies": {"s3": &p {"Version": "2012-10-17", "Statement": [*p]}}, "managedPolicyArns"',
    );

    it("check and plan --json exit 1 with the path, no crash", async () => {
      const path = file(recursive);
      for (const command of ["check", "plan"]) {
        const r = await cli(command, path, "--json");
        assert.equal(r.code, 1, r.err);
        const { issues } = JSON.parse(r.out) as { issues: { path: string; message: string }[] };
        assert.deepStrictEqual(
          issues.map((i) => i.path),
          ["identities[0].grants[0].inlinePolicies.s3.Statement[0]"],
        );
        assert.match(issues[0]!.message, /contains itself/);
      }
    });

    it("the library: compile throws a TrustplaneError, so the component registers nothing", () => {
      const value: Json = { Version: "2012-10-17" };
      value.Statement = [value];
      const document = oneIdentity(
        GITHUB,
        [API],
        [{ target: "aws-prod", inlinePolicies: { s3: value } }],
      );
      assert.throws(() => compile(document), TrustplaneError);
    });
  });

  describe("8: reads stop at their limit, whatever the input reports", () => {
    const endless = "/dev/zero";

    it("an intent file, a token, stack outputs and a key set file: exit 2, over the limit", async () => {
      const check = await cli("check", endless);
      assert.equal(check.code, 2);
      assert.match(check.err, /is over 5242880 bytes; intent documents are at most 5242880 bytes$/);
      const token = await cli("explain", DOCUMENT_FILE(), "--token", endless);
      assert.match(token.err, /is over 1048576 bytes; tokens are at most 1048576 bytes$/);
      assert.equal(token.code, 2);
      const outputs = await cli(
        "render",
        DOCUMENT_FILE(),
        "--out",
        join(dir, "o"),
        "--outputs",
        endless,
      );
      assert.equal(outputs.code, 2);
      assert.match(outputs.err, /is over 5242880 bytes; stack outputs are at most 5242880 bytes$/);
      const keys = await cli("explain", DOCUMENT_FILE(), "--token", file(JWT), "--jwks", endless);
      assert.equal(keys.code, 2);
      assert.match(keys.err, /is over 1048576 bytes; key sets are at most 1048576 bytes$/);
    });

    it("an endless key set body and a gzip bomb stop at 1 MiB", async function () {
      this.timeout(20000);
      const { url, server } = await serve((req, res) => {
        const zero = Buffer.alloc(64 * 1024);
        if (req.url === "/gzip") {
          res.writeHead(200, { "content-encoding": "gzip" });
          const gzip = createGzip();
          gzip.pipe(res);
          const more = () => {
            while (gzip.write(zero));
            gzip.once("drain", more);
          };
          more();
          res.on("close", () => gzip.destroy());
          return;
        }
        res.writeHead(200);
        const more = () => {
          while (res.write(zero));
          res.once("drain", more);
        };
        more();
      });
      try {
        for (const path of ["/endless", "/gzip"]) {
          const r = await cli(
            "explain",
            DOCUMENT_FILE(),
            "--token",
            file(JWT),
            "--jwks",
            `${url}${path}`,
          );
          assert.equal(r.code, 2);
          assert.match(r.err, /its answer is over 1048576 bytes; key sets are a few kilobytes$/);
        }
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
  });

  describe("9: library entry points answer anything with issues", () => {
    const hostile: [string, unknown][] = [
      ["a bigint", 10n],
      ["a symbol", Symbol("x")],
      ["a function", () => 1],
      [
        "a throwing getter",
        Object.defineProperty({ version: 1 }, "issuers", {
          get: () => {
            throw new Error("boom");
          },
          enumerable: true,
        }),
      ],
      [
        "a throwing proxy",
        new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error("trap");
            },
          },
        ),
      ],
      [
        "a bigint deep inside",
        { ...DOCUMENT, targets: { "aws-prod": { cloud: "aws", accountId: 111111111111n } } },
      ],
      ["a Date", { version: 1, issuers: {}, targets: {}, identities: [new Date(0)] }],
      [
        "20,000 levels of nesting",
        Array.from({ length: 20000 }).reduce<unknown>((inner) => [inner], 1),
      ],
    ];
    for (const [what, input] of hostile) {
      it(`${what}: check gives issues, compile throws a TrustplaneError`, () => {
        const issues = check(input);
        assert.ok(issues.length >= 1);
        assert.ok(issues.every((i) => typeof i.message === "string"));
        assert.throws(() => compile(input), TrustplaneError);
        assert.ok(analyse(input).plan === undefined);
      });
    }

    it("says what it found: the deep one by its depth, the getter by its error", () => {
      const deep = Array.from({ length: 20000 }).reduce<unknown>((inner) => [inner], 1);
      assert.match(check(deep)[0]!.message, /nests deeper than 256 levels/);
      const getter = Object.defineProperty({}, "version", {
        get: () => {
          throw new Error("boom");
        },
        enumerable: true,
      });
      assert.equal(check(getter)[0]!.message, "the value could not be read: boom");
      assert.match(check(10n)[0]!.message, /a bigint is not JSON data/);
    });

    it("explain with hostile claims answers with issues", () => {
      for (const claims of [
        { sub: 10n },
        { sub: () => 1 },
        new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error("trap");
            },
          },
        ),
      ]) {
        const { explanation, issues } = explain(DOCUMENT, claims);
        assert.equal(explanation, undefined);
        assert.ok(issues.length >= 1);
      }
    });

    it("readToken refuses what JSON.parse lets through and no cloud can read", () => {
      assert.deepStrictEqual(readToken('{"a": "\\udc00"}'), {
        problem:
          "the token's claim a: the text holds an unpaired UTF-16 surrogate (U+DC00), which is not text",
      });
    });
  });

  describe("10: the command line in words", () => {
    const cases: [string, string[], string][] = [
      [
        "an option given twice",
        ["render", "x.yaml", "--out", "a", "--out", "b"],
        "--out is given twice; give it once",
      ],
      [
        "--token twice",
        ["explain", "x.yaml", "--token", "a", "--token", "b"],
        "--token is given twice; give it once",
      ],
      ["a typo", ["check", "x.yaml", "--jsn"], "unknown option --jsn; did you mean --json?"],
      [
        "an unknown option far from any",
        ["check", "x.yaml", "--verbose"],
        "unknown option --verbose",
      ],
      [
        "a value given to a flag",
        ["check", "x.yaml", "--json=yes"],
        '--json takes no value, got "yes"',
      ],
      [
        "an empty --out",
        ["render", "x.yaml", "--out="],
        "--out needs a directory, got an empty value",
      ],
      ["--out without its value", ["render", "x.yaml", "--out"], "--out needs a directory"],
    ];
    for (const [what, argv, problem] of cases) {
      it(`${what}: exit 2, "${problem}", and not the whole help`, async () => {
        const r = await cli(...argv);
        assert.equal(r.code, 2);
        assert.equal(r.out, "");
        assert.equal(
          r.err,
          `trustplane: ${problem}\n\nusage: trustplane <command> FILE [options]\n(trustplane --help lists the commands and options)`,
        );
      });
    }
  });

  describe("11: control characters", () => {
    it("the document refuses C1 controls (U+0085, U+009B) and bidi overrides (U+202E) in any text", () => {
      for (const ch of ["\u0085", "\u009b", "\u202e", "\u2066", "\ufeff", "\u2028"]) {
        const document = oneIdentity(GITHUB, [{ ...API, environment: `prod${ch}x` }]);
        assert.deepStrictEqual(
          errors(document),
          ["invalid_value identities[0].subjects[0].environment"],
          JSON.stringify(ch),
        );
        const description = oneIdentity(GITHUB, [API]) as Json;
        (description.identities as Json[])[0]!.description = `a${ch}`;
        assert.deepStrictEqual(errors(description), ["invalid_value identities[0].description"]);
      }
    });

    it("explain prints a token's C1 and bidi characters escaped, in text and in --json", async () => {
      const token = file(
        JSON.stringify({
          iss: "https://token.actions.githubusercontent.com",
          sub: "repo:acme/api:environment:prod\u202e\u009bx",
          aud: "sts.amazonaws.com",
        }),
      );
      for (const json of [[], ["--json"]]) {
        const r = await cli("explain", DOCUMENT_FILE(), "--token", token, ...json);
        assert.equal(r.code, 0);
        assert.ok(!/[\u0080-\u009f\u202a-\u202e]/.test(r.out + r.err), r.out);
        // quoted in the reason, and the JSON string escapes that quoting's backslash again
        assert.match(r.out, /prod\\{1,2}u202e\\{1,2}u009bx/);
      }
      const r = await cli("explain", DOCUMENT_FILE(), "--token", token, "--json");
      assert.ok(JSON.parse(r.out), "still JSON");
    });
  });

  describe("12: messages that say what happened", () => {
    it("a key set that redirects, and a refused connection, name what happened", async () => {
      const { url, server } = await serve((_, res) => {
        res.writeHead(302, { location: "https://elsewhere.example/jwks" });
        res.end();
      });
      try {
        const r = await cli(
          "explain",
          DOCUMENT_FILE(),
          "--token",
          file(JWT),
          "--jwks",
          `${url}/jwks`,
        );
        assert.equal(r.code, 2);
        assert.equal(
          r.err,
          `trustplane: cannot read the JWKS ${url}/jwks: it redirects to https://elsewhere.example/jwks (HTTP 302); give the key set's own URL`,
        );
      } finally {
        server.close();
      }
      const closed = await serve(() => undefined);
      closed.server.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const r = await cli(
        "explain",
        DOCUMENT_FILE(),
        "--token",
        file(JWT),
        "--jwks",
        `${closed.url}/jwks`,
      );
      assert.equal(r.code, 2);
      assert.match(r.err, /: 127\.0\.0\.1:\d+ refused the connection; is the URL right\?$/);
    });

    it("an HS256 token is told its algorithm, not alg none", async () => {
      const hs = [
        Buffer.from(JSON.stringify({ alg: "HS256" })).toString("base64url"),
        Buffer.from(
          JSON.stringify({ iss: "https://token.actions.githubusercontent.com", exp: 4e9 }),
        ).toString("base64url"),
        "c2ln",
      ].join(".");
      const keys = file(
        JSON.stringify({ keys: [{ kty: "RSA", kid: "k", n: "sXch", e: "AQAB", alg: "RS256" }] }),
      );
      const r = await cli("explain", DOCUMENT_FILE(), "--token", file(hs), "--jwks", keys);
      assert.equal(r.code, 1);
      assert.match(r.err, /it is signed with "HS256", which no key of the JWKS is for$/);
    });

    it("a non-string sub is described by its type, never as an internal marker", async () => {
      const r = await cli(
        "explain",
        DOCUMENT_FILE(),
        "--token",
        file(
          JSON.stringify({
            iss: "https://token.actions.githubusercontent.com",
            sub: ["a"],
            aud: "sts.amazonaws.com",
          }),
        ),
      );
      assert.equal(r.code, 0);
      assert.ok(!r.out.includes("\\u0000"), r.out);
    });
  });
});
