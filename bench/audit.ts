// Benchmark of `trustplane audit` (issue 13): the audit of what N GitHub identities deploy — N
// AWS roles and their OIDC provider, 3N Azure federated credentials on N managed identities, N
// GCP pool providers — against the N-identity intent, next to `verify` of the same intent in
// the same run. Not a test: `npm run bench` runs it after bench/pulumi.ts; it prints the numbers and writes
// bench/RESULTS-audit.md (bench/RESULTS.md links to it).
//
// Both commands run end to end through the CLI's `run`, in this process: `trustplane audit
// intent.yaml --aws … --azure … --gcp … --json` reads and compiles the YAML intent, reads and
// JSON.parses every export, audits the three clouds and prints; `trustplane verify intent.yaml
// --json` reads, compiles, decides its corpus and prints. The exports are what the clouds' CLIs
// print for a deployment of the compiled plan, so every audit must find nothing: a finding, or
// a verify that is not ok, stops the benchmark. A last pass times the phases one by one.
//
// What it is not: a fresh process per run (Node start-up and module loading are left out, and
// CEL programs stay cached between runs: the cold first run is shown apart), the clouds' CLIs
// or APIs, or an audit that finds anything.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "prettier";
import { stringify } from "yaml";
import { CLOUDS, backendOf } from "../lib/backends";
import type { DeployedFile } from "../lib/backends/audits";
import { AUDITS } from "../lib/backends/audits";
import type { Cloud } from "../lib/backends/cloud";
import { compileDocument } from "../lib/compile";
import { corpus } from "../lib/inspect/corpus";
import { identityCorpus, verifyPlan } from "../lib/inspect/verify";
import { readIntentFile, readLimited } from "../lib/intent/file";
import type { Plan } from "../lib/plan/types";
import type { Timed } from "./support";
import { cliExports } from "../test/support/exports";
import { cliJson, fmt, githubDocument, machine, median, timed } from "./support";

const SIZES = [100, 1000] as const;
/** Repetitions per N, after one cold run (a repetition of N = 1,000 takes about a minute). */
const REPETITIONS: Record<(typeof SIZES)[number], number> = { 100: 5, 1000: 3 };
/** The issue's goal: the audit of 1,000 identities under 10 s on this machine. */
const GOAL = { identities: 1000, seconds: 10 };

/** The audit's work per cloud, for the phases table. */
const AUDITED: Record<Cloud, string> = {
  aws: "AWS roles and OIDC provider",
  azure: "Azure federated credentials",
  gcp: "GCP pool providers",
};

const write = (s: string) => process.stdout.write(`${s}\n`);
const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;

// --- the runs ----------------------------------------------------------------------------------

/** The intent and its exports written to a temp folder, and the audit's command line. */
interface Written {
  readonly intent: string;
  readonly paths: Record<Cloud, string[]>;
  readonly argv: string[];
  readonly bytes: number;
}

function writeFiles(dir: string, n: number, plan: Plan): Written {
  mkdirSync(dir, { recursive: true });
  const intent = join(dir, "intent.yaml");
  writeFileSync(intent, stringify(githubDocument(n)));
  const paths: Record<Cloud, string[]> = { aws: [], azure: [], gcp: [] };
  let bytes = 0;
  const exports = cliExports(plan);
  for (const cloud of CLOUDS) {
    for (const e of exports[cloud]) {
      mkdirSync(join(dir, cloud), { recursive: true });
      const path = join(dir, cloud, e.source);
      // as the CLIs print: the AWS CLI indents by 4
      const text = `${JSON.stringify(e.json, null, cloud === "aws" ? 4 : 2)}\n`;
      writeFileSync(path, text);
      paths[cloud].push(path);
      bytes += Buffer.byteLength(text);
    }
  }
  const argv = CLOUDS.flatMap((c) => paths[c].flatMap((p) => [`--${c}`, p]));
  return { intent, paths, argv: ["audit", intent, ...argv, "--json"], bytes };
}

/** `trustplane audit`, end to end; throws unless it audited every cloud and found nothing. */
async function audit(w: Written): Promise<Timed<unknown>> {
  const t = await timed(() => cliJson(w.argv));
  const body = t.value as { ok: boolean; audited: string[]; findings: unknown[] };
  if (!body.ok || body.findings.length || body.audited.length !== CLOUDS.length)
    throw new Error(`a faithful export gave findings: ${JSON.stringify(body).slice(0, 4000)}`);
  return t;
}

/** `trustplane verify`, end to end; throws unless it is ok. */
async function verify(w: Written): Promise<Timed<unknown>> {
  const t = await timed(() => cliJson(["verify", w.intent, "--json"]));
  if (!(t.value as { ok: boolean }).ok) throw new Error("verify of the generated intent failed");
  return t;
}

/** The phases of both commands, each timed alone (wall ms). */
interface Phases {
  readonly compile: number;
  readonly read: number;
  readonly clouds: Record<Cloud, number>;
  /** The corpora the audit builds (one per identity, again for a grant with new sub patterns), rebuilt alone. */
  readonly auditCorpora: number;
  readonly verifyPlan: number;
  /** The corpora verify builds (one per identity), rebuilt alone. */
  readonly verifyCorpora: number;
}

/** One pass over the phases `audit` and `verify` go through, with the calls they make. */
async function phases(w: Written): Promise<Phases> {
  const compiled = await timed(() => {
    const loaded = readIntentFile(w.intent);
    const c = "data" in loaded ? compileDocument(loaded.data) : undefined;
    if (!c?.plan || !c.ir) throw new Error(`${w.intent} does not compile`);
    return { plan: c.plan, ir: c.ir };
  });
  const { plan, ir } = compiled.value;
  const read = await timed(() =>
    CLOUDS.map((c) =>
      w.paths[c].map((source): DeployedFile => ({
        source,
        json: JSON.parse(readLimited(source, 256 * 1024 * 1024, "exports").toString("utf8")),
      })),
    ),
  );
  const clouds = {} as Record<Cloud, number>;
  for (const [i, cloud] of CLOUDS.entries()) {
    const t = await timed(() => AUDITS[cloud].audit(ir, plan, read.value[i]!));
    if (!Array.isArray(t.value) || t.value.length)
      throw new Error(`${cloud}: ${JSON.stringify(t.value).slice(0, 4000)}`);
    clouds[cloud] = t.ms;
  }
  const pairs = plan.identities.map((p) => ({
    plan: p,
    identity: ir.identities.find((i) => i.name === p.name)!,
  }));
  // as lib/audit/decisions.ts builds them: again only when a grant asks for patterns not yet used
  const auditCorpora = await timed(() => {
    for (const { plan: p, identity } of pairs) {
      let used: ReadonlySet<string> | undefined;
      for (const g of p.grants) {
        const patterns = new Set(backendOf(g.cloud).subPatterns(g.artefacts));
        if (used && [...patterns].every((x) => used!.has(x))) continue;
        corpus(identity, ir.identities, [...patterns]);
        used = patterns;
      }
    }
  });
  const verified = await timed(() => verifyPlan(ir, plan));
  const verifyCorpora = await timed(() => {
    for (const { plan: p, identity } of pairs) identityCorpus(identity, p, ir.identities);
  });
  return {
    compile: compiled.ms,
    read: read.ms,
    clouds,
    auditCorpora: auditCorpora.ms,
    verifyPlan: verified.ms,
    verifyCorpora: verifyCorpora.ms,
  };
}

interface Row {
  readonly n: number;
  readonly roles: number;
  readonly credentials: number;
  readonly azureFiles: number;
  readonly providers: number;
  readonly bytes: number;
  readonly cold: { audit: Timed<unknown>; verify: Timed<unknown> };
  readonly audit: Timed<unknown>[];
  readonly verify: Timed<unknown>[];
  readonly phases: Phases;
}

/** Everything measured for N identities: a cold run, then interleaved repetitions, then phases. */
async function measure(n: (typeof SIZES)[number], dir: string): Promise<Row> {
  const { plan } = compileDocument(githubDocument(n));
  if (!plan) throw new Error(`the ${n}-identity document does not compile`);
  const w = writeFiles(dir, n, plan);
  const grants = plan.identities.flatMap((i) => i.grants);
  const cold = { audit: await audit(w), verify: await verify(w) };
  write(`${n}: cold audit ${seconds(cold.audit.ms)}, verify ${seconds(cold.verify.ms)}`);
  const runs = { audit: [] as Timed<unknown>[], verify: [] as Timed<unknown>[] };
  for (let r = 0; r < REPETITIONS[n]; r++) {
    runs.audit.push(await audit(w));
    runs.verify.push(await verify(w));
    write(`${n}: audit ${seconds(runs.audit[r]!.ms)}, verify ${seconds(runs.verify[r]!.ms)}`);
  }
  return {
    n,
    roles: grants.filter((g) => g.cloud === "aws").length,
    credentials: grants.flatMap((g) => (g.cloud === "azure" ? g.artefacts.credentials : [])).length,
    azureFiles: w.paths.azure.length,
    providers: grants.filter((g) => g.cloud === "gcp").length,
    bytes: w.bytes,
    cold,
    ...runs,
    phases: await phases(w),
  };
}

/** The commit measured, and whether lib/ differs from it (the working tree is what runs). */
function code(): string {
  const git = (...args: string[]) =>
    spawnSync("git", args, { cwd: __dirname, encoding: "utf8" }).stdout?.trim() ?? "";
  const commit = git("rev-parse", "--short", "HEAD");
  if (!commit) return "- Code: not in a git checkout";
  const changed = git("status", "--porcelain", "--", "../lib").split("\n").filter(Boolean).length;
  return `- Code: commit ${commit}${changed ? `, with ${changed} uncommitted change${changed === 1 ? "" : "s"} in lib/` : ", lib/ as committed"}`;
}

// --- report ------------------------------------------------------------------------------------

const ms = (runs: readonly Timed<unknown>[]) => median(runs.map((r) => r.ms));
const cpuMs = (runs: readonly Timed<unknown>[]) => median(runs.map((r) => r.cpuMs));

/** When the run started, the load average then, and the code it loaded (see `code`). */
interface Start {
  readonly at: string;
  readonly load: readonly number[];
  readonly code: string;
}

function report(rows: readonly Row[], start: Start): string[] {
  const lines = [
    "# `trustplane audit` benchmark",
    "",
    `Written by \`npm run bench\` (bench/audit.ts) at ${start.at}. The lib/inspect benchmark is in [RESULTS.md](RESULTS.md).`,
    "",
    "## Machine",
    "",
    ...machine(start.load),
    start.code,
    "",
    "## Method",
    "",
    "- **Deployment**: documents of N GitHub identities (`bench/support.ts`, as in bench/inspect.ts: two selectors pinned by owner and repository IDs, a grant in AWS, Azure and GCP each), compiled; the exports are what the clouds' CLIs print for a deployment of that plan, written as JSON text to a temp folder: `aws iam get-account-authorization-details --output json` (every role, with its trust policy and managed policy), `aws iam get-open-id-connect-provider` with its `OpenIDConnectProviderArn`, `az identity federated-credential list -o json` for each managed identity (one file each), `gcloud iam workload-identity-pools providers list --format=json` for the pool. The intent is written as YAML.",
    "- **audit**: `trustplane audit intent.yaml --aws … --azure … --gcp … --json` through the CLI's `run` in this process, end to end: read and parse the intent, compile, read and `JSON.parse` every export, audit AWS, Azure and GCP (for every grant, `verify`'s corpus with attacker tokens shaped to the compiled and deployed `sub` values, decided by the deployed artefacts), print. Every run must exit 0 with no finding in any of the three clouds, or the benchmark stops.",
    "- **verify**: `trustplane verify intent.yaml --json` the same way, in the same repetitions (audit first, then verify); every run must be ok. The ratio divides the medians.",
    "- **Cold**: the first run of each N, apart from the medians: CEL programs are cached per expression in the process, so later runs skip parsing each provider's condition (as a long-lived process would; a fresh `trustplane audit` pays it once).",
    "- Wall time is `performance.now()`; CPU is `process.cpuUsage()` (user + system of every thread, GC included): CPU well under wall means other processes took the cores.",
    "- **Phases**: one more pass after the repetitions, each phase alone with the calls the commands make (`readIntentFile` and `compileDocument`; `readLimited` and `JSON.parse` of the exports; `AUDITS[cloud].audit`; `verifyPlan`), and the corpora each builds rebuilt alone (`corpus` per identity for audit, again for a grant whose sub patterns the first did not hold; `identityCorpus` per identity for verify): how much of the time is building tokens rather than deciding them.",
    "",
    "## End to end",
    "",
    "| identities | AWS roles | Azure credentials (files) | GCP providers | exports | repetitions | audit (median) | audit CPU | verify (median) | verify CPU | audit ÷ verify | cold audit / verify | findings |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${fmt(r.n)} | ${fmt(r.roles)} | ${fmt(r.credentials)} (${fmt(r.azureFiles)}) | ${fmt(r.providers)} | ${fmt(r.bytes / 2 ** 20, 1)} MiB | ${r.audit.length} | ${seconds(ms(r.audit))} | ${seconds(cpuMs(r.audit))} | ${seconds(ms(r.verify))} | ${seconds(cpuMs(r.verify))} | ${fmt(ms(r.audit) / ms(r.verify), 2)} | ${seconds(r.cold.audit.ms)} / ${seconds(r.cold.verify.ms)} | 0 |`,
    ),
    "",
    "Runs (audit; verify), wall: " +
      rows
        .map(
          (r) =>
            `${fmt(r.n)}: ${r.audit.map((t) => fmt(t.ms / 1000, 2)).join(", ")}; ${r.verify.map((t) => fmt(t.ms / 1000, 2)).join(", ")} s`,
        )
        .join(" — ") +
      ".",
    "",
    "## Phases (one pass, wall)",
    "",
    `| phase | ${rows.map((r) => `${fmt(r.n)} identities`).join(" | ")} |`,
    `| --- | ${rows.map(() => "---:").join(" | ")} |`,
    ...phaseRows(rows),
    "",
    "## Against the goal",
    "",
    ...verdicts(rows),
  ];
  return lines;
}

function phaseRows(rows: readonly Row[]): string[] {
  const row = (label: string, f: (p: Phases) => number) =>
    `| ${label} | ${rows.map((r) => seconds(f(r.phases))).join(" | ")} |`;
  const auditTotal = (p: Phases) =>
    p.compile + p.read + CLOUDS.reduce((s, c) => s + p.clouds[c], 0);
  return [
    row("read and compile the intent (both commands)", (p) => p.compile),
    row("audit: read and JSON.parse the exports", (p) => p.read),
    ...CLOUDS.map((c) => row(`audit: ${AUDITED[c]}`, (p) => p.clouds[c])),
    row("**audit: sum of its phases**", auditTotal),
    row("audit: its corpora, rebuilt alone (one per identity)", (p) => p.auditCorpora),
    row("verify: `verifyPlan`", (p) => p.verifyPlan),
    row("**verify: sum of its phases**", (p) => p.compile + p.verifyPlan),
    row("verify: its corpora, rebuilt alone (one per identity)", (p) => p.verifyCorpora),
  ];
}

function verdicts(rows: readonly Row[]): string[] {
  const goal = rows.find((r) => r.n === GOAL.identities)!;
  const s = ms(goal.audit) / 1000;
  const p = goal.phases;
  const auditSum = p.compile + p.read + CLOUDS.reduce((t, c) => t + p.clouds[c], 0);
  const small = rows[0]!;
  const large = rows[rows.length - 1]!;
  return [
    `- audit of ${fmt(GOAL.identities)} identities (${fmt(goal.roles)} roles, ${fmt(goal.credentials)} credentials, ${fmt(goal.providers)} providers): ${fmt(s, 2)} s against < ${GOAL.seconds} s: ${s < GOAL.seconds ? "met" : `**missed**, ${fmt(s / GOAL.seconds, 1)}× the goal`}; ${fmt(ms(goal.audit) / ms(goal.verify), 2)}× \`verify\` of the same intent (${seconds(ms(goal.verify))}).`,
    `- Building tokens: in the phases pass, rebuilding the audit's corpora alone takes ${fmt((p.auditCorpora / auditSum) * 100, 0)}% of the audit's phases (${seconds(p.auditCorpora)} of ${seconds(auditSum)}), verify's ${fmt((p.verifyCorpora / (p.compile + p.verifyPlan)) * 100, 0)}% of verify's: both build one corpus per identity here (the audit's GCP grant asks for no sub pattern its AWS grant did not).`,
    `- Growth: ${fmt(large.n / small.n)}× the identities take ${fmt(ms(large.audit) / ms(small.audit), 1)}× the audit time (verify: ${fmt(ms(large.verify) / ms(small.verify), 1)}×).`,
  ];
}

async function main(): Promise<void> {
  const start: Start = { at: new Date().toISOString(), load: loadavg(), code: code() };
  const dir = mkdtempSync(join(tmpdir(), "trustplane-bench-audit-"));
  const rows: Row[] = [];
  try {
    for (const n of SIZES) rows.push(await measure(n, join(dir, String(n))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = report(rows, start);
  for (const line of lines.slice(lines.indexOf("## End to end"))) write(line);
  // formatted as `npm run format:check` expects of every file in the repository
  const markdown = await format(`${lines.join("\n")}\n`, { parser: "markdown", printWidth: 100 });
  writeFileSync(join(__dirname, "RESULTS-audit.md"), markdown);
}

void main();
