// Helpers shared by the benchmarks in bench/.
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import type { IntentDocument } from "../lib/intent/document";
import { cli } from "../test/support/cli";
import { TARGETS } from "../test/support/documents";

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A number with thousands separators and a fixed number of decimals. */
export const fmt = (x: number, digits = 0) =>
  x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * The machine, as Markdown list items: Node.js and V8, the CPU model, the cores online, the
 * memory, and the load average at the start (`os.loadavg()` then) and now: other processes
 * sharing the cores slow every figure alike.
 */
export function machine(loadAtStart: readonly number[]): string[] {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  const load = (l: readonly number[]) => l.map((x) => fmt(x, 2)).join(", ");
  return [
    `- Node.js ${process.version} (V8 ${process.versions.v8}) on ${process.platform}/${process.arch}`,
    `- CPU: ${cpu ?? "unknown"} (model name in /proc/cpuinfo), ${cpus().length} cores online, ${fmt(totalmem() / 2 ** 30)} GiB memory`,
    `- Load average (1, 5, 15 min): ${load(loadAtStart)} at the start, ${load(loadavg())} at the end`,
  ];
}

/** A measurement: wall and CPU (user + system, every thread of the process) milliseconds. */
export interface Timed<T> {
  readonly ms: number;
  readonly cpuMs: number;
  readonly value: T;
}

/** The wall and CPU milliseconds `f` takes, until its promise settles if it returns one. */
export async function timed<T>(f: () => T | Promise<T>): Promise<Timed<T>> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await f();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}

/**
 * N GitHub identities, each with two selectors pinned by owner and repository IDs (as a platform
 * team writes them: no warnings) and a grant in every cloud.
 */
export function githubDocument(n: number): IntentDocument {
  type Identity = IntentDocument["identities"][number];
  const identities = Array.from({ length: n }, (_, i): Identity => ({
    name: `svc-${i}`,
    issuer: "github",
    subjects: [
      { ...pinned(i), environment: { oneOf: ["production", "staging"] } },
      { ...pinned(i), ref: "refs/heads/main", environment: { absent: true } },
    ],
    grants: [
      { target: "aws-prod", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      {
        target: "azure-prod",
        roles: [{ role: "Reader", scope: "/subscriptions/00000000-0000-0000-0000-00000000000b" }],
      },
      { target: "gcp-prod", roles: ["roles/viewer"] },
    ],
  }));
  return {
    version: 1,
    issuers: { github: { kind: "github", subjectFormat: "immutable" } },
    targets: TARGETS,
    identities,
  };
}

const pinned = (i: number) => ({
  repository: `acme/svc-${i}`,
  repository_owner_id: "1342004",
  repository_id: String(100_000 + i),
});

/** The CLI in this process (test/support/cli.ts) with `--json`'s output parsed; throws unless it exits 0. */
export async function cliJson(argv: readonly string[]): Promise<unknown> {
  const { code, out, err } = await cli(...argv);
  if (code !== 0)
    throw new Error(`trustplane ${argv[0]} exited ${code}:\n${out.slice(0, 4000)}\n${err}`);
  return JSON.parse(out);
}
