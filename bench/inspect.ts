// Benchmark of lib/inspect: explain decisions per second per cloud on examples/platform.yaml,
// and `verify` wall time on generated documents of 10, 100 and 1,000 GitHub identities.
// Not a test: `npm run bench` prints the numbers and writes bench/RESULTS.md.
//
// Every figure is the median of several repetitions, next to a baseline measured in the same
// run (JSON.stringify of the same tokens for decisions; compiling the same document for
// verify), so a slower or faster machine shows in both.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { format } from "prettier";
import { parse as parseYaml } from "yaml";
import type { Cloud } from "../lib/backends/cloud";
import { compileDocument } from "../lib/compile";
import type { TokenClaims } from "../lib/inspect/token-claims";
import { evaluateGrant } from "../lib/inspect/explain";
import { identityCorpus, verify } from "../lib/inspect/verify";
import type { IdentityIR } from "../lib/ir/types";
import type { GrantPlan } from "../lib/plan/types";
import { fmt, githubDocument, median } from "./support";

const ROOT = join(__dirname, "..");
const REPETITIONS = 7;
/** Each repetition of a decision benchmark runs at least this long. */
const MIN_MS = 300;
const TARGETS: Record<Cloud, number> = { aws: 10_000, azure: 10_000, gcp: 5_000 };
const VERIFY_TARGET = { identities: 100, seconds: 10 };

const write = (s: string) => process.stdout.write(`${s}\n`);

/** Operations per second of `op` over `count` items, repeated until MIN_MS passed. */
function rate(op: () => void, count: number): number {
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_MS) {
    op();
    done += count;
    elapsed = performance.now() - start;
  }
  return (done / elapsed) * 1000;
}

/** Medians of `reps` interleaved runs of each benchmark, so drift hits all of them alike. */
function medians<K extends string>(benches: Record<K, () => number>, reps: number) {
  const runs = Object.fromEntries(Object.keys(benches).map((k) => [k, [] as number[]])) as Record<
    K,
    number[]
  >;
  for (let r = 0; r < reps; r++)
    for (const k of Object.keys(benches) as K[]) runs[k].push(benches[k]());
  return Object.fromEntries(
    (Object.keys(runs) as K[]).map((k) => [k, { median: median(runs[k]), runs: runs[k] }]),
  ) as Record<K, { median: number; runs: number[] }>;
}

// --- explain decisions per cloud ---------------------------------------------------------------

interface Case {
  readonly identity: IdentityIR;
  readonly grant: GrantPlan;
  readonly tokens: readonly TokenClaims[];
}

function decisionCases(): Record<Cloud, Case[]> {
  const document: unknown = parseYaml(
    readFileSync(join(ROOT, "examples", "platform.yaml"), "utf8"),
  );
  const { plan, ir } = compileDocument(document);
  if (!plan || !ir) throw new Error("examples/platform.yaml does not compile");
  const cases: Record<Cloud, Case[]> = { aws: [], azure: [], gcp: [] };
  for (const p of plan.identities) {
    const identity = ir.identities.find((i) => i.name === p.name)!;
    // the verify corpus: selector instances, their adversarial neighbours, hostile and attacker
    // tokens, with their aud set to each grant's audience where they have none
    const tokens = identityCorpus(identity, p, ir.identities).map((t) => t.claims);
    for (const grant of p.grants) {
      cases[grant.cloud].push({
        identity,
        grant,
        tokens: tokens.map((t) => (t.aud === undefined ? { ...t, aud: grant.audience } : t)),
      });
    }
  }
  return cases;
}

function decide(cases: readonly Case[]): number {
  let allowed = 0;
  for (const c of cases)
    for (const t of c.tokens) if (evaluateGrant(c.identity, c.grant, t).allowed) allowed++;
  return allowed;
}

function stringify(cases: readonly Case[]): number {
  let length = 0;
  for (const c of cases) for (const t of c.tokens) length += JSON.stringify(t).length;
  return length;
}

// --- verify on generated documents -------------------------------------------------------------

function timed<T>(f: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = f();
  return { ms: performance.now() - start, value };
}

// --- report ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const lines: string[] = [];
  const out = (s = "") => {
    lines.push(s);
    write(s);
  };
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  const started = new Date().toISOString();

  // warm-up: CEL programs are planned once per expression, and the JIT settles
  const cases = decisionCases();
  for (const cloud of ["aws", "azure", "gcp"] as const) decide(cases[cloud]);

  const counts = Object.fromEntries(
    (["aws", "azure", "gcp"] as const).map((c) => [
      c,
      cases[c].reduce((n, k) => n + k.tokens.length, 0),
    ]),
  ) as Record<Cloud, number>;
  const decisions = medians(
    {
      aws: () => rate(() => decide(cases.aws), counts.aws),
      azure: () => rate(() => decide(cases.azure), counts.azure),
      gcp: () => rate(() => decide(cases.gcp), counts.gcp),
      stringify: () => rate(() => stringify(cases.gcp), counts.gcp),
    },
    REPETITIONS,
  );

  const sizes = [10, 100, 1000];
  const verifyRows = sizes.map((n) => {
    const document = githubDocument(n);
    const reps = n >= 1000 ? 1 : n >= 100 ? 3 : 5;
    const verifyMs: number[] = [];
    const compileMs: number[] = [];
    let tokens = 0;
    let decided = 0;
    let ok = false;
    for (let r = 0; r < reps; r++) {
      const c = timed(() => compileDocument(structuredClone(document)));
      if (!c.value.plan) throw new Error(`the ${n}-identity document does not compile`);
      compileMs.push(c.ms);
      const v = timed(() => verify(structuredClone(document)));
      verifyMs.push(v.ms);
      const verification = v.value.verification!;
      tokens = verification.tokens;
      decided = verification.grants.reduce((s, g) => s + g.tried, 0);
      ok = verification.ok;
    }
    write(`verify ${n}: ${fmt(median(verifyMs))} ms`);
    return { n, reps, verifyMs, compileMs, tokens, decided, ok };
  });

  out("# lib/inspect benchmark");
  out();
  out(`Written by \`npm run bench\` (bench/inspect.ts) at ${started}.`);
  out();
  out(
    "The Pulumi components' benchmark (bench/pulumi.ts, run next by `npm run bench`) writes its own file: [RESULTS-pulumi.md](RESULTS-pulumi.md); so does the `trustplane audit` benchmark (bench/audit.ts, run next): [RESULTS-audit.md](RESULTS-audit.md); and the `trustplane diff` benchmark (bench/diff.ts, run last): [RESULTS-diff.md](RESULTS-diff.md).",
  );
  out();
  out("## Machine");
  out();
  out(
    `- Node.js ${process.version} (V8 ${process.versions.v8}) on ${process.platform}/${process.arch}`,
  );
  out(`- CPU: ${cpu ?? "unknown"} (model name in /proc/cpuinfo), ${cpus().length} cores online`);
  out();
  out("## Method");
  out();
  out(
    "- **Decisions per second**: examples/platform.yaml is compiled once; for every identity, the tokens are `verify`'s corpus (selector instances, their adversarial neighbours, hostile tokens and the attacker tokens shaped to pass the compiled sub patterns; some allowed, most refused), each given the grant's audience when it has none. One decision is `evaluateGrant` on one token for one grant: the AWS trust policy evaluated on the STS request, the Azure federated credentials matched exactly, the GCP exchange with the attribute mapping and condition run in CEL (@bufbuild/cel, programs cached per expression as in lib/). Each repetition loops over the tokens for at least " +
      `${MIN_MS} ms; the ${REPETITIONS} repetitions interleave the clouds and the baseline.`,
  );
  out(
    "- **Baseline for decisions**: `JSON.stringify` of the same GCP tokens, per token, in the same repetitions. The ratio says how many times slower a decision is than serialising its token once.",
  );
  out(
    "- **verify wall time**: documents of N GitHub identities (`acme/svc-<i>`), each with two selectors pinned by owner and repository IDs (environment production or staging; main without an environment) and a grant in AWS, Azure and GCP. One repetition is `verify(document)` end to end: parse, compile, build the corpus, decide every token for every grant. Baseline: `compileDocument` of the same document in the same repetition.",
  );
  out("- Medians are over the repetitions listed; the warm-up runs every cloud once first.");
  out();
  out("## Explain decisions per second (examples/platform.yaml)");
  out();
  out(
    "| cloud | grants | tokens per pass | decisions/s (median) | runs | × slower than JSON.stringify | target | meets |",
  );
  out("| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |");
  for (const cloud of ["aws", "azure", "gcp"] as const) {
    const d = decisions[cloud];
    out(
      `| ${cloud} | ${cases[cloud].length} | ${counts[cloud]} | ${fmt(d.median)} | ${d.runs.map((x) => fmt(x / 1000, 0)).join(", ")} k | ${fmt(decisions.stringify.median / d.median, 1)} | ≥ ${fmt(TARGETS[cloud])} | ${d.median >= TARGETS[cloud] ? "yes" : "**no**"} |`,
    );
  }
  out(
    `| baseline: JSON.stringify | — | ${counts.gcp} | ${fmt(decisions.stringify.median)} | ${decisions.stringify.runs.map((x) => fmt(x / 1000, 0)).join(", ")} k | 1.0 | — | — |`,
  );
  out();
  out("## verify wall time (generated GitHub documents)");
  out();
  out(
    "| identities | tokens | decisions | repetitions | verify (median) | compile (median) | verify ÷ compile | ok |",
  );
  out("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const r of verifyRows) {
    out(
      `| ${fmt(r.n)} | ${fmt(r.tokens)} | ${fmt(r.decided)} | ${r.reps} | ${fmt(median(r.verifyMs) / 1000, 2)} s | ${fmt(median(r.compileMs), 1)} ms | ${fmt(median(r.verifyMs) / median(r.compileMs), 0)} | ${r.ok} |`,
    );
  }
  out();
  out("## Against the targets");
  out();
  for (const cloud of ["aws", "azure", "gcp"] as const) {
    const m = decisions[cloud].median;
    out(
      `- ${cloud.toUpperCase()}: ${fmt(m)} decisions/s against ≥ ${fmt(TARGETS[cloud])}: ${m >= TARGETS[cloud] ? `met, ${fmt(m / TARGETS[cloud], 1)}×` : `**missed**, ${fmt((m / TARGETS[cloud]) * 100, 0)}% of it`}.`,
    );
  }
  const hundred = verifyRows.find((r) => r.n === VERIFY_TARGET.identities)!;
  const seconds = median(hundred.verifyMs) / 1000;
  out(
    `- verify of ${VERIFY_TARGET.identities} identities: ${fmt(seconds, 2)} s against < ${VERIFY_TARGET.seconds} s: ${seconds < VERIFY_TARGET.seconds ? "met" : "**missed**"}.`,
  );
  const small = verifyRows[0]!;
  const large = verifyRows[verifyRows.length - 1]!;
  out(
    `- verify grows with the document: ${fmt(large.n / small.n)}× the identities take ${fmt(median(large.verifyMs) / median(small.verifyMs), 0)}× the time (each corpus borrows tokens from at most 16 other identities of its issuer, so work stays linear in the identities).`,
  );
  // formatted as `npm run format:check` expects of every file in the repository
  const markdown = await format(`${lines.join("\n")}\n`, { parser: "markdown", printWidth: 100 });
  writeFileSync(join(__dirname, "RESULTS.md"), markdown);
}

void main();
