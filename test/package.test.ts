import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import type { SpawnSyncReturns } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const MODULES = join(ROOT, "node_modules");
const TSC = join(MODULES, "typescript", "bin", "tsc");
/** The TypeScript `pulumi up` type-checks with when a program does not install its own. */
const VENDORED_TS = join(
  MODULES,
  "@pulumi",
  "pulumi",
  "vendor",
  "typescript@3.8.3",
  "typescript.js",
);

/** pulumi/templates' aws-typescript/tsconfig.json, verbatim. */
const TEMPLATE_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
};

/** A platform program as a new user writes it from the README, on Pulumi's AWS template. */
const PROGRAM = `import * as aws from "@pulumi/aws";
import type { IntentDocument } from "trustplane";
import { TrustPlane } from "trustplane/pulumi";

const intent: IntentDocument = {
  version: 1,
  issuers: { github: { kind: "github" } },
  targets: { "aws-prod": { cloud: "aws", accountId: "111111111111" } },
  identities: [
    {
      name: "api-deploy",
      issuer: "github",
      subjects: [{ repository: "acme/api", environment: "production" }],
      grants: [{ target: "aws-prod", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }],
    },
  ],
};

const provider = new aws.Provider("prod", { region: "eu-west-1" });
const trust = new TrustPlane("platform", { ...intent, providers: { "aws-prod": provider } });
export const summary = trust.summary;
`;

/** The same imports without a cloud SDK, for the module settings besides the template's. */
const TYPES_ONLY = `import type { IntentDocument, ParsedDocument, Plan } from "trustplane";
import { compile } from "trustplane";
import { TrustPlane } from "trustplane/pulumi";
import type { TrustPlaneArgs } from "trustplane/pulumi";

const intent: IntentDocument = { version: 1, issuers: {}, targets: {}, identities: [] };
export const args: TrustPlaneArgs = { ...intent, tags: { team: "platform" } };
export const plan: (d: IntentDocument) => Plan = (d) => compile(d).plan;
export type Parsed = ParsedDocument["identities"];
export const component: typeof TrustPlane = TrustPlane;
`;

/** Loads the program after Pulumi's mocks, like \`pulumi up\` would load it; prints what it registered. */
const RUNNER = `const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime
  .setMocks(
    {
      newResource: (a) => {
        types.push(a.type);
        const arn = a.type === "aws:iam/role:Role" ? "arn:aws:iam::111111111111:role/" + a.inputs.name : undefined;
        return { id: a.name + "-id", state: { ...a.inputs, ...(arn ? { arn } : {}) } };
      },
      call: (a) => a.inputs,
    },
    "first-day",
    "dev",
    false,
  )
  .then(() => {
    const program = require("./bin/index.js");
    program.summary.apply((s) => console.log(JSON.stringify({ types: types.sort(), summary: s })));
  });
`;

/**
 * The package as npm publishes it, in the programs people have: \`npm pack\`'s tarball unpacked
 * into fresh programs' node_modules (as npm installs it), type-checked under Pulumi's template
 * tsconfig and other module settings without \`skipLibCheck\`, run under mocks, and its CLI run
 * through \`npx\`. Its dependencies and the Pulumi SDKs are this repository's, linked, not
 * installed from the registry: it does not prove that npm resolves the declared ranges.
 */
describe("the packed package", function () {
  this.timeout(180_000);
  let dir: string;
  let files: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "trustplane-pack-"));
    const packed = spawn("npm", ["pack", "--json", "--pack-destination", dir], ROOT);
    const [tarball] = JSON.parse(packed.stdout) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = tarball!.files.map((f) => f.path).sort();
    const tgz = join(dir, tarball!.filename);
    spawn("tar", ["-xzf", tgz, "-C", dir], ROOT);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A program folder with the unpacked package and this repository's other modules linked. */
  function program(name: string, tsconfig: object, source: string, extra: object = {}): string {
    const at = join(dir, name);
    mkdirSync(join(at, "node_modules"), { recursive: true });
    spawn("cp", ["-r", join(dir, "package"), join(at, "node_modules", "trustplane")], ROOT);
    for (const entry of readdirSync(MODULES)) {
      if (entry === ".bin" || entry === "trustplane") continue;
      symlinkSync(join(MODULES, entry), join(at, "node_modules", entry));
    }
    writeFileSync(join(at, "tsconfig.json"), JSON.stringify(tsconfig));
    writeFileSync(join(at, "package.json"), JSON.stringify({ name, version: "1.0.0", ...extra }));
    writeFileSync(join(at, "index.ts"), source);
    return at;
  }

  it("ships the compiled code, its declarations, the JSON Schema, the licence and the README, and no source maps", () => {
    assert.ok(files.includes("LICENSE"));
    assert.ok(files.includes("README.md"));
    assert.ok(files.includes("intent.schema.json"));
    assert.ok(files.includes("dist/index.d.ts"));
    assert.ok(files.includes("dist/components/index.js"));
    assert.deepEqual(
      files.filter((f) => !/^dist\/.*\.(js|d\.ts)$/.test(f)),
      ["LICENSE", "README.md", "intent.schema.json", "package.json"],
    );
    const pkg = JSON.parse(readFileSync(join(dir, "package", "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    for (const key of ["license", "repository", "homepage", "bugs", "keywords"]) {
      assert.ok(pkg[key], `package.json has ${key}`);
    }
  });

  it("type-checks and runs a program made from Pulumi's TypeScript template, under mocks", () => {
    const at = program("template", TEMPLATE_TSCONFIG, PROGRAM);
    const built = spawn(process.execPath, [TSC, "-p", "."], at, false);
    assert.equal(built.status, 0, `tsc failed:\n${built.stdout}${built.stderr}`);
    writeFileSync(join(at, "run.js"), RUNNER);
    const ran = spawn(process.execPath, ["run.js"], at, false, 60_000);
    assert.equal(ran.status, 0, `the program failed:\n${ran.stderr}`);
    const { types, summary } = JSON.parse(ran.stdout.trim().split("\n").pop()!) as {
      types: string[];
      summary: { identities: Record<string, { grants: Record<string, { roleArn: string }> }> };
    };
    assert.deepEqual(types, [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "aws:iam/role:Role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "pulumi:providers:aws",
      "trustplane:aws:AwsTrust",
      "trustplane:index:TrustPlane",
    ]);
    assert.equal(
      summary.identities["api-deploy"]!.grants["aws-prod"]!.roleArn,
      "arn:aws:iam::111111111111:role/api-deploy",
    );
  });

  for (const [name, options, type] of [
    ["node16", { module: "node16", moduleResolution: "node16" }, "commonjs"],
    ["nodenext (ESM program)", { module: "nodenext", moduleResolution: "nodenext" }, "module"],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }, "module"],
  ] as const) {
    it(`type-checks under module resolution ${name}, without skipLibCheck`, () => {
      const at = program(
        name.split(" ")[0]!,
        { compilerOptions: { strict: true, target: "es2022", noEmit: true, ...options } },
        TYPES_ONLY,
        { type },
      );
      const checked = spawn(process.execPath, [TSC, "-p", "."], at, false);
      assert.equal(checked.status, 0, `tsc failed:\n${checked.stdout}${checked.stderr}`);
    });
  }

  it("type-checks with the TypeScript 3.8 Pulumi vendors for programs without their own", function () {
    if (!existsSync(VENDORED_TS)) this.skip(); // older @pulumi/pulumi releases vendored none
    const at = program("vendored", TEMPLATE_TSCONFIG, PROGRAM);
    const script = `const ts = require(${JSON.stringify(VENDORED_TS)});
      const cfg = ts.getParsedCommandLineOfConfigFile("tsconfig.json", {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
      const program = ts.createProgram(cfg.fileNames, { ...cfg.options, noEmit: true });
      for (const d of ts.getPreEmitDiagnostics(program)) {
        const file = d.file ? d.file.fileName : "";
        console.log(JSON.stringify({ file, code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, " ") }));
      }`;
    const checked = spawn(process.execPath, ["-e", script], at, false);
    assert.equal(checked.status, 0, checked.stderr);
    const ours = checked.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { file: string; code: number; text: string })
      // TypeScript 3.8 cannot parse today's @types/node, undici or grpc declarations either;
      // ts-node reports only the program's own file, so what counts is ours and the program's
      .filter((d) => d.file === "" || /node_modules\/trustplane\/|\/index\.ts$/.test(d.file));
    assert.deepEqual(ours, []);
  });

  it("runs its CLI through npx: trustplane --version", () => {
    const at = program("cli", TEMPLATE_TSCONFIG, "");
    const bin = join(at, "node_modules", ".bin");
    mkdirSync(bin);
    const pkg = JSON.parse(readFileSync(join(dir, "package", "package.json"), "utf8")) as {
      version: string;
      bin: Record<string, string>;
    };
    // what npm does on install: link each bin entry into node_modules/.bin, executable
    for (const [command, path] of Object.entries(pkg.bin)) {
      chmodSync(join(at, "node_modules", "trustplane", path), 0o755);
      symlinkSync(join("..", "trustplane", path), join(bin, command));
    }
    const ran = spawn("npx", ["--no-install", "trustplane", "--version"], at, false);
    assert.equal(ran.status, 0, ran.stderr);
    assert.equal(ran.stdout.trim(), pkg.version);
  });
});

/** Runs a command; by default fails the test on a non-zero exit. */
function spawn(
  command: string,
  args: string[],
  cwd: string,
  check = true,
  timeout = 120_000,
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout });
  if (check) {
    assert.equal(result.status, 0, `${command} ${args.join(" ")} failed:\n${result.stderr}`);
  }
  return result;
}
