// Benchmark of the Pulumi components (lib/components): what `trustplane/pulumi` costs a Pulumi
// program next to the raw SDKs. Not a test: `npm run bench` runs it after bench/inspect.ts; it
// prints the numbers and writes bench/RESULTS-pulumi.md (bench/RESULTS.md links to it).
//
// 1. Mocked registration of N identities through TrustPlane versus a program declaring the same
//    resources with the SDK submodules (bench/pulumi-program.ts), each run in a fresh `node`.
// 2. Cold `require` of the built entries versus `@pulumi/pulumi` alone, in fresh processes.
// 3. `tsc --noEmit` of a consumer program importing TrustPlane versus one importing the SDKs.
//
// Every figure is a median over fresh processes, next to its baseline measured in the same run
// with the variants interleaved, so a slower or faster machine shows in both.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { format } from "prettier";
import * as ts from "typescript";
import { compileDocument } from "../lib/compile";
import type { Plan } from "../lib/plan/types";
import type { Measurement, ProgramInput } from "./pulumi-program";
import { fmt, githubDocument, median } from "./support";

const ROOT = join(__dirname, "..");
const DIST = join(ROOT, "dist");
const CACHE = join(ROOT, "node_modules", ".cache", "trustplane-bench");
/** Repetitions of mocked registration per N (N = 1,000 takes about a minute a run). */
const REGISTRATION_REPS: Record<number, number> = { 10: 9, 100: 5, 1000: 1 };
const REQUIRE_REPS = 9;
const TYPECHECK_REPS = 3;
const GOALS = { registration: 1.25, require: 1.1, typecheck: 1.2, growth: 1.25 };
const CLOUD_SDKS = ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp"] as const;

const write = (s: string) => process.stdout.write(`${s}\n`);
const mib = (kib: number) => `${fmt(kib / 1024)} MiB`;
const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;
const ratio = (x: number, base: number) => `${fmt(x / base, 2)}×`;
const verdict = (x: number, goal: number) => (x <= goal ? "met" : "**missed**");

interface Run {
  /** Parent-side wall time from spawn to exit. */
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion, throwing with its output if it fails. */
function run(command: string, args: readonly string[], cwd = ROOT): Run {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - start;
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { wallMs, stdout: r.stdout, stderr: r.stderr };
}

/** The last line of a child's stdout, parsed. */
function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split("\n").pop()!) as T;
}

/** Runs each variant `reps` times, interleaved, so drift hits all of them alike. */
function interleaved<K extends string, T>(
  variants: readonly K[],
  reps: number,
  measure: (variant: K) => T,
): Record<K, T[]> {
  const runs = Object.fromEntries(variants.map((v) => [v, [] as T[]])) as Record<K, T[]>;
  for (let r = 0; r < reps; r++) for (const v of variants) runs[v].push(measure(v));
  return runs;
}

/** The median of one field over runs. */
const med = <T>(runs: readonly T[], field: (t: T) => number) => median(runs.map(field));

// --- 1. mocked registration --------------------------------------------------------------------

const PROGRAMS = ["baseline", "trustplane"] as const;
type Program = (typeof PROGRAMS)[number];

interface RegistrationRun extends Measurement {
  readonly wallMs: number;
  readonly warnings: number;
}

interface RegistrationRow {
  readonly n: number;
  readonly resources: number;
  readonly runs: Record<Program, RegistrationRun[]>;
}

/**
 * Transpiles bench/pulumi-program.ts and the mocks' state it imports to plain CommonJS under
 * node_modules (keeping their relative layout), so `node` runs the program; returns its path.
 */
function transpileProgram(): string {
  const files = ["bench/pulumi-program.ts", "test/support/mock-state.ts"];
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(join(ROOT, file), "utf8"), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    const out = join(CACHE, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  return join(CACHE, "bench", "pulumi-program.js");
}

/** Resource count per type token the plan lists (shared resources once). */
function plannedResources(plan: Plan): Record<string, number> {
  const unique = new Map<string, string>();
  for (const grant of plan.identities.flatMap((i) => i.grants))
    for (const r of grant.resources) unique.set(`${r.type} ${r.name}`, r.type);
  const counts: Record<string, number> = {};
  for (const type of unique.values()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Throws unless a run registered exactly the planned resources. */
function checkRegistered(run: RegistrationRun, expected: Record<string, number>, what: string) {
  const sorted = (o: Record<string, number>) => JSON.stringify(Object.entries(o).sort());
  if (sorted(run.custom) !== sorted(expected))
    throw new Error(`${what} registered ${sorted(run.custom)}, the plan lists ${sorted(expected)}`);
}

/** Mocked registration of N identities, each variant in fresh processes, checked against the plan. */
function registration(program: string, n: number): RegistrationRow {
  const document = githubDocument(n);
  const { plan } = compileDocument(structuredClone(document));
  if (!plan) throw new Error(`the ${n}-identity document does not compile`);
  const input: ProgramInput = { document, plan };
  const inputPath = join(CACHE, `input-${n}.json`);
  writeFileSync(inputPath, JSON.stringify(input));
  const expected = plannedResources(plan);
  const entry = join(DIST, "components", "index.js");
  const runs = interleaved(PROGRAMS, REGISTRATION_REPS[n]!, (variant) => {
    const r = run(process.execPath, [program, variant, inputPath, entry]);
    const measured: RegistrationRun = {
      ...lastJson<Measurement>(r.stdout),
      wallMs: r.wallMs,
      warnings: r.stderr.split("\n").filter((l) => l.startsWith("warning:")).length,
    };
    checkRegistered(measured, expected, `${variant} (N=${n})`);
    write(`registration N=${n} ${variant}: ${seconds(measured.ms)}, ${mib(measured.maxRssKiB)}`);
    return measured;
  });
  rmSync(inputPath);
  const resources = Object.values(expected).reduce((a, b) => a + b, 0);
  return { n, resources, runs };
}

// --- 2. cold require ---------------------------------------------------------------------------

/** Run by `node -e` with the module to require (or none) as argument: no other code loads first. */
const REQUIRE_PROBE = `
const start = process.hrtime.bigint();
if (process.argv[1]) require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const packages = new Set();
for (const file of Object.keys(require.cache)) {
  const m = /.*node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
  if (m) packages.add(m[1]);
}
console.log(JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS, packages: [...packages].sort() }));
`;

const ENTRIES = {
  node: { label: "nothing (bare `node`)", module: "" },
  pulumi: { label: '`require("@pulumi/pulumi")`', module: "@pulumi/pulumi" },
  components: {
    label: "`trustplane/pulumi` (dist/components/index.js)",
    module: join(DIST, "components", "index.js"),
  },
  compiler: { label: "`trustplane` (dist/index.js)", module: join(DIST, "index.js") },
} as const;
type Entry = keyof typeof ENTRIES;

interface RequireRun {
  readonly wallMs: number;
  readonly ms: number;
  readonly maxRssKiB: number;
  /** Every package the require loaded, dependencies included. */
  readonly packages: string[];
}

const pulumiPackages = (r: RequireRun) => r.packages.filter((p) => p.startsWith("@pulumi/"));

/** Cold require of each entry in fresh processes. */
function coldRequire(): Record<Entry, RequireRun[]> {
  const entries = Object.keys(ENTRIES) as Entry[];
  const probe = (e: Entry): RequireRun => {
    const r = run(process.execPath, ["-e", REQUIRE_PROBE, ENTRIES[e].module]);
    return { wallMs: r.wallMs, ...lastJson<Omit<RequireRun, "wallMs">>(r.stdout) };
  };
  entries.forEach(probe); // warm-up: the page cache, not the process
  const runs = interleaved(entries, REQUIRE_REPS, probe);
  for (const e of entries) write(`require ${e}: ${fmt(med(runs[e], (r) => r.wallMs))} ms`);
  return runs;
}

// --- 3. consumer type-check --------------------------------------------------------------------

const SDK_CONSUMER = `import { OpenIdConnectProvider, Role, RolePolicy, RolePolicyAttachment } from "@pulumi/aws/iam";
import { RoleAssignment } from "@pulumi/azure-native/authorization";
import { FederatedIdentityCredential, UserAssignedIdentity } from "@pulumi/azure-native/managedidentity";
import { WorkloadIdentityPool, WorkloadIdentityPoolProvider } from "@pulumi/gcp/iam";
import { IAMMember as ProjectIAMMember } from "@pulumi/gcp/projects";
import { Account, IAMMember } from "@pulumi/gcp/serviceaccount";

const oidc = new OpenIdConnectProvider("oidc", {
  url: "https://token.actions.githubusercontent.com",
  clientIdLists: ["sts.amazonaws.com"],
});
const role = new Role("role", {
  assumeRolePolicy: oidc.arn.apply((arn) => JSON.stringify({ Principal: { Federated: arn } })),
});
new RolePolicyAttachment("ro", { role: role.name, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" });
new RolePolicy("inline", { role: role.id, policy: "{}" });
const identity = new UserAssignedIdentity("uai", { resourceGroupName: "identities", location: "westeurope" });
new FederatedIdentityCredential("fic", {
  resourceGroupName: "identities",
  resourceName: identity.name,
  issuer: "https://token.actions.githubusercontent.com",
  subject: "repo:acme/app:environment:production",
  audiences: ["api://AzureADTokenExchange"],
});
new RoleAssignment("reader", {
  principalId: identity.principalId,
  principalType: "ServicePrincipal",
  roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
  scope: "/subscriptions/00000000-0000-0000-0000-00000000000b",
});
const pool = new WorkloadIdentityPool("pool", { project: "acme-prod", workloadIdentityPoolId: "trustplane" });
new WorkloadIdentityPoolProvider("provider", {
  project: "acme-prod",
  workloadIdentityPoolId: pool.workloadIdentityPoolId,
  workloadIdentityPoolProviderId: "app",
  attributeMapping: { "google.subject": "assertion.sub" },
  oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
});
const account = new Account("sa", { project: "acme-prod", accountId: "app-workload" });
new IAMMember("wiu", {
  serviceAccountId: account.name,
  role: "roles/iam.workloadIdentityUser",
  member: "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/trustplane/*",
});
new ProjectIAMMember("viewer", {
  project: "acme-prod",
  role: "roles/viewer",
  member: account.email.apply((email) => \`serviceAccount:\${email}\`),
});
`;

const CONSUMERS = {
  trustplane: {
    label: "`new TrustPlane(...)` from `trustplane/pulumi`",
    source: () => `import { TrustPlane } from "trustplane/pulumi";

const platform = new TrustPlane("platform", ${JSON.stringify(githubDocument(1), null, 2)});
export const summary = platform.summary;
`,
  },
  sdk: {
    label: "one of each resource from the SDK submodules trustplane uses",
    source: () => SDK_CONSUMER,
  },
  pulumi: {
    label: "reference: a ComponentResource from `@pulumi/pulumi` only",
    source: () => `import * as pulumi from "@pulumi/pulumi";

export const component = new pulumi.ComponentResource("acme:app:App", "app");
`,
  },
} as const;
type Consumer = keyof typeof CONSUMERS;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "node16",
    moduleResolution: "node16",
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  },
  files: ["main.ts"],
};

/**
 * A temp folder with a program per consumer, whose node_modules links the project's Pulumi
 * packages and type definitions, and `trustplane` to this package (resolved through its
 * `exports`, i.e. to dist/components/index.d.ts).
 */
function consumerFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "trustplane-consumer-"));
  const modules = join(folder, "node_modules");
  mkdirSync(modules);
  symlinkSync(join(ROOT, "node_modules", "@pulumi"), join(modules, "@pulumi"), "dir");
  symlinkSync(join(ROOT, "node_modules", "@types"), join(modules, "@types"), "dir");
  symlinkSync(ROOT, join(modules, "trustplane"), "dir");
  for (const [name, consumer] of Object.entries(CONSUMERS)) {
    mkdirSync(join(folder, name));
    writeFileSync(join(folder, name, "main.ts"), consumer.source());
    writeFileSync(join(folder, name, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG));
  }
  return folder;
}

/** Runs tsc in a node that reports its own peak RSS on exit (GNU time's %M, without GNU time). */
const TSC_PROBE = `
const [tsc, ...args] = process.argv.slice(1);
process.on("exit", () => console.log("maxRssKiB " + process.resourceUsage().maxRSS));
process.argv = [process.argv[0], tsc, ...args];
require(tsc);
`;

interface TypecheckRun {
  readonly wallMs: number;
  readonly maxRssKiB: number;
  readonly files: number;
  /** Files of each cloud SDK in the program. */
  readonly sdkFiles: Record<string, number>;
}

/** `tsc` of each consumer program in `folder`, with the files it loaded. */
function typecheck(folder: string): Record<Consumer, TypecheckRun[]> {
  const tsc = require.resolve("typescript/bin/tsc");
  const check = (c: Consumer): TypecheckRun => {
    const r = run(process.execPath, ["-e", TSC_PROBE, tsc, "-p", join(folder, c), "--listFiles"]);
    const lines = r.stdout.trim().split("\n");
    const files = lines.filter((l) => /\.tsx?$/.test(l));
    const sdkFiles = Object.fromEntries(
      CLOUD_SDKS.map((sdk) => [
        sdk,
        files.filter((f) => f.includes(`/node_modules/${sdk}/`)).length,
      ]),
    );
    const maxRssKiB = Number(lines.pop()!.split(" ")[1]);
    return { wallMs: r.wallMs, maxRssKiB, files: files.length, sdkFiles };
  };
  const runs = interleaved(Object.keys(CONSUMERS) as Consumer[], TYPECHECK_REPS, check);
  for (const c of Object.keys(runs) as Consumer[])
    write(`tsc ${c}: ${seconds(med(runs[c], (r) => r.wallMs))}`);
  return runs;
}

/**
 * The bare module specifiers the declarations reachable from `entry` import, following its
 * relative imports: which packages a consumer's type-check loads through it.
 */
function declarationImports(entry: string): Set<string> {
  const bare = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith(".")) visit(`${resolve(dirname(file), fileName)}.d.ts`);
      else bare.add(fileName);
    }
  };
  visit(entry);
  return bare;
}

// --- report ------------------------------------------------------------------------------------

/** Markdown lines describing the machine and the package versions measured. */
function machine(): string[] {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  const version = (p: string) =>
    (
      JSON.parse(readFileSync(join(ROOT, "node_modules", p, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  return [
    `- Node.js ${process.version} (V8 ${process.versions.v8}) on ${process.platform}/${process.arch}`,
    `- CPU: ${cpu ?? "unknown"} (model name in /proc/cpuinfo), ${cpus().length} cores online, ${fmt(totalmem() / 2 ** 30)} GiB memory`,
    `- @pulumi/pulumi ${version("@pulumi/pulumi")}, @pulumi/aws ${version("@pulumi/aws")}, @pulumi/azure-native ${version("@pulumi/azure-native")}, @pulumi/gcp ${version("@pulumi/gcp")}, TypeScript ${ts.version}`,
  ];
}

const METHOD = [
  "- Every measurement runs in a fresh process; the variants of a table alternate run by run (baseline first), and the ratios divide medians of the same run of this script.",
  "- Peak RSS is `process.resourceUsage().maxRSS` of the measured process (what GNU time's `%M` reports for it).",
  "- **Registration**: generated documents of N GitHub identities (`bench/support.ts`, as in bench/inspect.ts: two selectors, a grant in AWS, Azure and GCP each: 11 resources per identity plus a shared OIDC provider and pool). bench/pulumi-program.ts, transpiled to plain JavaScript and run by `node` (no tsx, no source maps, default `Error.stackTraceLimit`), loads the SDK submodules, sets the mocks (which count registrations and compute ARNs, IDs and e-mails like test/support/mocks.ts), then starts the clock and either constructs `TrustPlane` from dist/ on the document (compile included) or declares the resources the compiled plan lists directly with `@pulumi/aws/iam`, `@pulumi/azure-native/{managedidentity,authorization}` and `@pulumi/gcp/{iam,serviceaccount,projects}`, with the same inputs, outputs wired the same way and no components. The clock stops after `await pulumi.runtime.disconnect()` has drained every registration; each run is checked to have registered exactly the plan's resources. Process wall time (spawn to exit, module loading included) is in parentheses.",
  "- **Cold require**: `node -e` requiring one module and nothing else; wall time is spawn to exit, and the Pulumi packages loaded are read from `require.cache`. One warm-up round first (page cache).",
  "- **Consumer type-check**: tiny programs in a temp folder whose node_modules links `@pulumi`, `@types` and `trustplane` (this package, resolved through its `exports` to dist/components/index.d.ts); `tsc -p <program> --listFiles` with `strict`, `skipLibCheck: true`, `module`/`moduleResolution` node16, `noEmit`.",
];

/** Markdown for the registration table. */
function registrationSection(rows: readonly RegistrationRow[]): string[] {
  const lines = [
    "## 1. Mocked registration: TrustPlane versus the raw SDKs",
    "",
    "| identities | resources | runs | baseline (process) | TrustPlane (process) | time ratio | ms per identity (baseline / TrustPlane) | baseline RSS | TrustPlane RSS | RSS ratio | warnings logged (TrustPlane) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const { n, resources, runs } of rows) {
    const t = (p: Program) => med(runs[p], (r) => r.ms);
    const wall = (p: Program) => med(runs[p], (r) => r.wallMs);
    const rss = (p: Program) => med(runs[p], (r) => r.maxRssKiB);
    lines.push(
      `| ${fmt(n)} | ${fmt(resources)} | ${runs.baseline.length} | ${seconds(t("baseline"))} (${seconds(wall("baseline"))}) | ${seconds(t("trustplane"))} (${seconds(wall("trustplane"))}) | ${ratio(t("trustplane"), t("baseline"))} | ${fmt(t("baseline") / n, 1)} / ${fmt(t("trustplane") / n, 1)} | ${mib(rss("baseline"))} | ${mib(rss("trustplane"))} | ${ratio(rss("trustplane"), rss("baseline"))} | ${fmt(runs.trustplane[0]!.warnings)} |`,
    );
  }
  return lines;
}

/** Markdown for the cold-require table. */
function requireSection(runs: Record<Entry, RequireRun[]>): string[] {
  const wall = (e: Entry) => med(runs[e], (r) => r.wallMs);
  const rss = (e: Entry) => med(runs[e], (r) => r.maxRssKiB);
  const lines = [
    `## 2. Cold require (median of ${REQUIRE_REPS} fresh processes)`,
    "",
    "| entry | wall | of which `require()` | peak RSS | Pulumi packages loaded | wall × @pulumi/pulumi | RSS × @pulumi/pulumi |",
    "| --- | ---: | ---: | ---: | --- | ---: | ---: |",
  ];
  for (const e of Object.keys(ENTRIES) as Entry[]) {
    const loaded = pulumiPackages(runs[e][0]!);
    lines.push(
      `| ${ENTRIES[e].label} | ${fmt(wall(e))} ms | ${fmt(med(runs[e], (r) => r.ms))} ms | ${mib(rss(e))} | ${loaded.length ? loaded.join(", ") : "none"} | ${ratio(wall(e), wall("pulumi"))} | ${ratio(rss(e), rss("pulumi"))} |`,
    );
  }
  return lines;
}

/** Markdown for the type-check table and what the declarations import. */
function typecheckSection(runs: Record<Consumer, TypecheckRun[]>, imports: Set<string>): string[] {
  const wall = (c: Consumer) => med(runs[c], (r) => r.wallMs);
  const rss = (c: Consumer) => med(runs[c], (r) => r.maxRssKiB);
  const lines = [
    `## 3. Consumer type-check (median of ${TYPECHECK_REPS} runs)`,
    "",
    "| program | wall | peak RSS | files | cloud SDK files (aws / azure-native / gcp) | wall × SDK program | RSS × SDK program |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const c of Object.keys(CONSUMERS) as Consumer[]) {
    const sdk = CLOUD_SDKS.map((s) => fmt(runs[c][0]!.sdkFiles[s]!)).join(" / ");
    lines.push(
      `| ${CONSUMERS[c].label} | ${seconds(wall(c))} | ${mib(rss(c))} | ${fmt(runs[c][0]!.files)} | ${sdk} | ${ratio(wall(c), wall("sdk"))} | ${ratio(rss(c), rss("sdk"))} |`,
    );
  }
  const cloud = [...imports].filter((s) => CLOUD_SDKS.some((sdk) => s.startsWith(sdk)));
  lines.push(
    "",
    `The declarations reachable from dist/components/index.d.ts import ${[...imports]
      .sort()
      .map((s) => `\`${s}\``)
      .join(
        ", ",
      )}: ${cloud.length ? `**they reference cloud SDK types** (${cloud.join(", ")})` : "no cloud SDK types"}.`,
  );
  return lines;
}

/** Markdown verdicts against GOALS. */
function goalsSection(
  rows: readonly RegistrationRow[],
  requires: Record<Entry, RequireRun[]>,
  checks: Record<Consumer, TypecheckRun[]>,
): string[] {
  const lines = ["## Against the goals", ""];
  for (const { n, runs } of rows) {
    const x = med(runs.trustplane, (r) => r.ms) / med(runs.baseline, (r) => r.ms);
    lines.push(
      `- Registration of ${fmt(n)} identities: ${fmt(x, 2)}× the baseline's time against ≤ ${GOALS.registration}×: ${verdict(x, GOALS.registration)}.`,
    );
  }
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1]!, rows[i]!];
    const perIdentity = (row: RegistrationRow, p: Program) => med(row.runs[p], (r) => r.ms) / row.n;
    const growth = (p: Program) => perIdentity(b, p) / perIdentity(a, p);
    lines.push(
      `- Growth from ${fmt(a.n)} to ${fmt(b.n)} identities: the time per identity changes ${fmt(growth("trustplane"), 2)}× with TrustPlane (${fmt(growth("baseline"), 2)}× for the baseline); linear within ${GOALS.growth}×: ${verdict(growth("trustplane"), GOALS.growth)}.`,
    );
  }
  const wall = (e: Entry) => med(requires[e], (r) => r.wallMs);
  const req = wall("components") / wall("pulumi");
  const pulumiLoads = new Set(requires.pulumi[0]!.packages);
  const extra = requires.components[0]!.packages.filter((p) => !pulumiLoads.has(p));
  const compilerPulumi = pulumiPackages(requires.compiler[0]!);
  lines.push(
    `- Cold require of \`trustplane/pulumi\`: ${fmt(req, 2)}× \`@pulumi/pulumi\`'s wall time against ≤ ${GOALS.require}×: ${verdict(req, GOALS.require)}. Beyond what \`@pulumi/pulumi\` loads, it loads ${extra.length ? extra.map((p) => `\`${p}\``).join(", ") : "no package"} (and trustplane's own compiler from dist/).`,
    `- The compiler entry (\`trustplane\`) loads ${compilerPulumi.length ? `**${compilerPulumi.join(", ")}**` : "no Pulumi package"}.`,
  );
  const tc = (c: Consumer) => med(checks[c], (r) => r.wallMs);
  const tcx = tc("trustplane") / tc("sdk");
  lines.push(
    `- Consumer type-check: ${fmt(tcx, 2)}× the SDK program's time against ≤ ${GOALS.typecheck}×: ${verdict(tcx, GOALS.typecheck)}.`,
  );
  return lines;
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  run("npm", ["run", "build"]);
  mkdirSync(CACHE, { recursive: true });
  const program = transpileProgram();
  const rows = Object.keys(REGISTRATION_REPS).map((n) => registration(program, Number(n)));
  const requires = coldRequire();
  const folder = consumerFolder();
  let checks: Record<Consumer, TypecheckRun[]>;
  try {
    checks = typecheck(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const imports = declarationImports(join(DIST, "components", "index.d.ts"));

  const lines = [
    "# Pulumi components benchmark",
    "",
    `Written by \`npm run bench\` (bench/pulumi.ts) at ${started}. The lib/inspect benchmark is in [RESULTS.md](RESULTS.md).`,
    "",
    "## Machine",
    "",
    ...machine(),
    "",
    "## Method",
    "",
    ...METHOD,
    "",
    ...registrationSection(rows),
    "",
    ...requireSection(requires),
    "",
    ...typecheckSection(checks, imports),
    "",
    ...goalsSection(rows, requires, checks),
  ];
  // formatted as `npm run format:check` expects of every file in the repository
  const markdown = await format(`${lines.join("\n")}\n`, { parser: "markdown", printWidth: 100 });
  writeFileSync(join(__dirname, "RESULTS-pulumi.md"), markdown);
  write(markdown);
}

void main();
