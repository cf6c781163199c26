// Benchmark of `trustplane diff` (issue 14): the diff of two N-identity documents that differ in
// 0, 1 or 10 identities, next to `verify` of the whole document in the same run. Not a test:
// `npm run bench` runs it last; it prints the numbers and writes bench/RESULTS-diff.md
// (bench/RESULTS.md links to it).
//
// Both commands run end to end through the CLI's `run`, in this process, on YAML files in a temp
// folder: `trustplane diff base.yaml head.yaml --json` reads and compiles both versions, decides
// the changed identities' corpora and prints; `trustplane verify head.yaml --json` reads,
// compiles, decides every identity's corpus and prints. A diff that reports a change in an
// identity that did not change, misses the changed ones, or differs from the diff without the
// skip of equal identities stops the benchmark. A last pass times the phases one by one.
//
// What it is not: a fresh process per run (Node start-up and module loading are left out, CEL
// programs stay cached between runs), `git show` (the versions are files), or a change that
// touches every identity.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "prettier";
import { stringify } from "yaml";
import { compileDocument } from "../lib/compile";
import type { TrustDiff, Version } from "../lib/inspect/diff";
import { diffVersions } from "../lib/inspect/diff";
import type { IntentDocument } from "../lib/intent/document";
import type { Timed } from "./support";
import { cliJson, fmt, githubDocument, machine, median, timed } from "./support";

const SIZES = [100, 1000] as const;
/** How many identities HEAD changes, spread over the document. */
const CHANGED = [0, 1, 10] as const;
/** Repetitions of each diff, and of verify (a verify of 1,000 identities takes about 20 s). */
const REPETITIONS = { diff: 5, phases: 5, verify: { 100: 3, 1000: 2 } } as const;

const write = (s: string) => process.stdout.write(`${s}\n`);
const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;
const msOf = (runs: readonly Timed<unknown>[]) => median(runs.map((r) => r.ms));
const cpuOf = (runs: readonly Timed<unknown>[]) => median(runs.map((r) => r.cpuMs));

/** The document with `k` identities, spread evenly, letting in a `qa` environment too. */
function changed(n: number, k: number): { document: IntentDocument; names: string[] } {
  const document = structuredClone(githubDocument(n));
  const names: string[] = [];
  for (let j = 0; j < k; j++) {
    const identity = document.identities[Math.floor(((j + 0.5) * n) / k)]!;
    identity.subjects[0]!.environment = { oneOf: ["production", "qa", "staging"] };
    names.push(identity.name);
  }
  return { document, names };
}

/** `trustplane diff`, end to end; throws unless exactly the changed identities gain access. */
async function diff(base: string, head: string, names: readonly string[]): Promise<Timed<unknown>> {
  const t = await timed(() => cliJson(["diff", base, head, "--json"]));
  const d = t.value as TrustDiff;
  const gaining = [...new Set(d.changes.map((c) => c.identity))];
  const lost = d.changes.some((c) => c.change === "lost");
  if (lost || !isDeepStrictEqual(gaining, names) || d.widens !== names.length > 0)
    throw new Error(`diff reported ${JSON.stringify(gaining)} for ${JSON.stringify(names)}`);
  return t;
}

/** `trustplane verify`, end to end; throws unless it is ok. */
async function verify(path: string): Promise<Timed<unknown>> {
  const t = await timed(() => cliJson(["verify", path, "--json"]));
  if (!(t.value as { ok: boolean }).ok) throw new Error(`verify of ${path} failed`);
  return t;
}

/** The phases of a diff, each timed alone (CPU ms, medians), and the diff without the skip. */
interface Phases {
  /** `compileDocument` of both versions. */
  readonly compile: number;
  /** `diffVersions`: the identities whose trust differs decided on their corpora. */
  readonly decide: number;
  /** `diffVersions` deciding every identity (`decideAll`), once: what the skip saves. */
  readonly decideAll?: number;
}

/** Each phase `REPETITIONS.phases` times; `decideAll` once, when asked, checked against the skip. */
async function phases(base: IntentDocument, head: IntentDocument, all: boolean): Promise<Phases> {
  const compile = () =>
    [base, head].map((document): Version => {
      const { ir, plan } = compileDocument(document);
      if (!ir || !plan) throw new Error("a generated document does not compile");
      return { document, ir, plan };
    });
  const [b, h] = compile() as [Version, Version];
  const compiled: Timed<unknown>[] = [];
  const decided: Timed<TrustDiff>[] = [];
  for (let r = 0; r < REPETITIONS.phases; r++) {
    compiled.push(await timed(compile));
    decided.push(await timed(() => diffVersions(b, h)));
  }
  const cpu = (runs: readonly Timed<unknown>[]) => median(runs.map((t) => t.cpuMs));
  if (!all) return { compile: cpu(compiled), decide: cpu(decided) };
  const everything = await timed(() => diffVersions(b, h, { decideAll: true }));
  if (!isDeepStrictEqual(decided[0]!.value, everything.value))
    throw new Error("the skip of equal identities changed the diff");
  return { compile: cpu(compiled), decide: cpu(decided), decideAll: everything.cpuMs };
}

interface Case {
  readonly changed: number;
  readonly diff: Timed<unknown>[];
  readonly phases: Phases;
}

interface Row {
  readonly n: number;
  readonly cases: Case[];
  readonly verify: Timed<unknown>[];
}

async function measure(n: (typeof SIZES)[number], dir: string): Promise<Row> {
  mkdirSync(dir, { recursive: true });
  const base = githubDocument(n);
  const basePath = join(dir, "base.yaml");
  writeFileSync(basePath, stringify(base));
  const cases: Case[] = [];
  let widest = basePath;
  for (const k of CHANGED) {
    const { document, names } = changed(n, k);
    const headPath = join(dir, `head-${k}.yaml`);
    writeFileSync(headPath, stringify(document));
    widest = headPath;
    await diff(basePath, headPath, names); // cold: CEL programs parsed once
    const runs: Timed<unknown>[] = [];
    for (let r = 0; r < REPETITIONS.diff; r++) runs.push(await diff(basePath, headPath, names));
    write(
      `${n} identities, ${k} changed: diff ${seconds(msOf(runs))}, CPU ${seconds(cpuOf(runs))}`,
    );
    cases.push({ changed: k, diff: runs, phases: await phases(base, document, k === 1) });
  }
  const verified: Timed<unknown>[] = [];
  for (let r = 0; r < REPETITIONS.verify[n]; r++) verified.push(await verify(widest));
  write(`${n} identities: verify ${seconds(msOf(verified))}, CPU ${seconds(cpuOf(verified))}`);
  return { n, cases, verify: verified };
}

/** The commit measured, and whether lib/ differs from it (the working tree is what runs). */
function code(): string {
  const git = (...args: string[]) =>
    spawnSync("git", args, { cwd: __dirname, encoding: "utf8" }).stdout?.trim() ?? "";
  const commit = git("rev-parse", "--short", "HEAD");
  if (!commit) return "- Code: not in a git checkout";
  const edits = git("status", "--porcelain", "--", "../lib").split("\n").filter(Boolean).length;
  return `- Code: commit ${commit}${edits ? `, with ${edits} uncommitted change${edits === 1 ? "" : "s"} in lib/` : ", lib/ as committed"}`;
}

// --- report ------------------------------------------------------------------------------------

function report(
  rows: readonly Row[],
  at: string,
  load: readonly number[],
  commit: string,
): string[] {
  return [
    "# `trustplane diff` benchmark",
    "",
    `Written by \`npm run bench\` (bench/diff.ts) at ${at}. The lib/inspect benchmark is in [RESULTS.md](RESULTS.md).`,
    "",
    "## Machine",
    "",
    ...machine(load),
    commit,
    "",
    "## Method",
    "",
    "- **Documents**: BASE is a document of N GitHub identities (`githubDocument` in `bench/support.ts`, as in bench/inspect.ts: two selectors pinned by owner and repository IDs, a grant in AWS, Azure and GCP each); HEAD is BASE with 0, 1 or 10 identities (spread over the document) letting in a `qa` environment too: a widening in all three clouds. Both are written as YAML.",
    "- **diff**: `trustplane diff base.yaml head.yaml --json` through the CLI's `run` in this process, end to end: read and parse both versions, compile both, decide the identities whose trust differs, print. Every run must report gains in exactly the changed identities and nothing else, or the benchmark stops. The first run of each case is left out (cold), then " +
      `${REPETITIONS.diff} repetitions.`,
    "- **verify**: `trustplane verify head-10.yaml --json` the same way, after the diffs: the differential check of the whole document, the work `diff` would do without its skip on one version.",
    "- **How diff stays proportional to the change**: an identity whose issuer (as written), selectors, audiences and compiled artefacts are equal in both versions decides every token alike in both (the evaluators read nothing else), so `diff` skips it without building a corpus; only the changed identities get one (both versions' corpora, attacker tokens shaped to each version's `sub` values). Compiling both versions is still linear in the document.",
    "- **Phases**: after the diffs of each case, each phase alone, " +
      `${REPETITIONS.phases} times: ` +
      "`compileDocument` of both versions; `diffVersions` (deciding the changed identities, and the permissions and resources of all); once, for one identity changed, `diffVersions` with `decideAll` (every identity on its corpus, as without the skip; its result must equal the skip's, or the benchmark stops).",
    "- Wall time is `performance.now()`; CPU is `process.cpuUsage()` (user + system of every thread, GC included). Other processes share the two cores, so the wall times wander with the load (listed above); the comparisons below use CPU time, medians over the repetitions.",
    "",
    "## End to end",
    "",
    "| identities | changed | diff (median) | diff CPU | runs (wall) | verify of HEAD (median) | verify CPU | diff ÷ verify (CPU) |",
    "| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ...rows.flatMap((r) =>
      r.cases.map(
        (c) =>
          `| ${fmt(r.n)} | ${c.changed} | ${seconds(msOf(c.diff))} | ${seconds(cpuOf(c.diff))} | ${c.diff.map((t) => fmt(t.ms / 1000, 2)).join(", ")} | ${seconds(msOf(r.verify))} | ${seconds(cpuOf(r.verify))} | ${fmt(cpuOf(c.diff) / cpuOf(r.verify), 3)} |`,
      ),
    ),
    "",
    `## Phases (CPU, medians of ${REPETITIONS.phases}; deciding all once)`,
    "",
    "| identities | changed | compile both | decide the changed | decide all (no skip) |",
    "| ---: | ---: | ---: | ---: | ---: |",
    ...rows.flatMap((r) =>
      r.cases.map(
        ({ changed: k, phases: p }) =>
          `| ${fmt(r.n)} | ${k} | ${seconds(p.compile)} | ${fmt(p.decide)} ms | ${p.decideAll === undefined ? "—" : seconds(p.decideAll)} |`,
      ),
    ),
    "",
    "## Against the goal",
    "",
    ...verdicts(rows),
  ];
}

function verdicts(rows: readonly Row[]): string[] {
  const large = rows[rows.length - 1]!;
  const small = rows[0]!;
  const at = (r: Row, k: number) => r.cases.find((c) => c.changed === k)!;
  const [none, one, ten] = [0, 1, 10].map((k) => at(large, k)) as [Case, Case, Case];
  const perIdentity = (ten.phases.decide - one.phases.decide) / 9;
  return [
    `- diff of two ${fmt(large.n)}-identity documents differing in one identity: ${seconds(cpuOf(one.diff))} of CPU (${seconds(msOf(one.diff))} wall), ${fmt(cpuOf(one.diff) / cpuOf(large.verify), 3)}× the CPU of \`verify\` of the whole document (${seconds(cpuOf(large.verify))}).`,
    `- Proportional to the change: deciding takes ${fmt(one.phases.decide)} ms with one identity changed and ${fmt(ten.phases.decide)} ms with ten, about ${fmt(perIdentity)} ms per further changed identity; with none changed, ${fmt(none.phases.decide)} ms go to comparing every identity's issuer, selectors and artefacts and listing the permissions and resources, a pass linear in the document that builds no corpus. Deciding every identity, as without the skip, takes ${seconds(one.phases.decideAll!)}.`,
    `- The rest of a diff is reading and compiling both versions (compiling: ${seconds(one.phases.compile)}), linear in the document: ${fmt(large.n / small.n)}× the identities take ${fmt(one.phases.compile / at(small, 1).phases.compile, 1)}× the compile time.`,
  ];
}

async function main(): Promise<void> {
  const at = new Date().toISOString();
  const load = loadavg();
  const commit = code();
  const dir = mkdtempSync(join(tmpdir(), "trustplane-bench-diff-"));
  const rows: Row[] = [];
  try {
    for (const n of SIZES) rows.push(await measure(n, join(dir, String(n))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = report(rows, at, load, commit);
  for (const line of lines.slice(lines.indexOf("## End to end"))) write(line);
  // formatted as `npm run format:check` expects of every file in the repository
  const markdown = await format(`${lines.join("\n")}\n`, { parser: "markdown", printWidth: 100 });
  writeFileSync(join(__dirname, "RESULTS-diff.md"), markdown);
}

void main();
