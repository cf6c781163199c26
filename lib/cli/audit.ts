import type { Finding } from "../audit/finding";
import { CLOUDS } from "../backends";
import type { DeployedFile } from "../backends/audits";
import { AUDITS, STATE_AUDITS } from "../backends/audits";
import type { Cloud } from "../backends/cloud";
import { readError, readLimited } from "../intent/file";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import type { Streams } from "./streams";
import type { StateResource } from "../audit/pulumi-state";
import { STATE_EXPECTED, packageOf, readStackExport } from "../audit/pulumi-state";

/** Exports of large accounts run to tens of megabytes; far beyond that is a mistake. */
const MAX_EXPORT_BYTES = 256 * 1024 * 1024;

/** The files `audit` reads: each cloud's CLI outputs, and stack exports holding every cloud's. */
export type AuditFiles = Partial<Record<Cloud, readonly string[]>> & {
  readonly "pulumi-state"?: readonly string[];
};

/**
 * `trustplane audit`: reads each cloud's files of deployed state (CLI outputs, JSON) and the
 * cloud's resources of Pulumi stack exports, compares them with the compiled intent and prints
 * the findings. Exit 0 without findings, 1 with, 2 for a file it cannot read (naming it). Clouds
 * with neither files nor resources in the exports are said to be not audited.
 */
export function auditCommand(
  ir: DocumentIR,
  plan: Plan,
  files: AuditFiles,
  { out, err, json }: Streams,
): number {
  const state: StateResource[] = [];
  for (const path of files["pulumi-state"] ?? []) {
    const parsed = readJson(path);
    if ("why" in parsed) {
      err(`trustplane: cannot read ${path}: ${parsed.why}; expected ${STATE_EXPECTED}`);
      return 2;
    }
    const read = readStackExport(path, parsed.json);
    if ("problem" in read) {
      err(`trustplane: ${read.problem}`);
      return 2;
    }
    state.push(...read.resources);
  }
  const findings: Finding[] = [];
  const audited: Cloud[] = [];
  for (const cloud of CLOUDS) {
    const paths = files[cloud] ?? [];
    const resources = state.filter((r) => STATE_AUDITS[cloud].packages.includes(packageOf(r.type)));
    if (paths.length === 0 && resources.length === 0) continue;
    const read: DeployedFile[] = [];
    for (const path of paths) {
      const parsed = readJson(path);
      if ("why" in parsed) {
        err(`trustplane: cannot read ${path}: ${parsed.why}; expected ${AUDITS[cloud].reads}`);
        return 2;
      }
      read.push({ source: path, json: parsed.json });
    }
    const fromState = STATE_AUDITS[cloud].files(resources);
    const result =
      "problems" in fromState
        ? fromState
        : AUDITS[cloud].audit(ir, plan, [...read, ...fromState.files]);
    if ("problems" in result) {
      for (const problem of result.problems) err(`trustplane: ${problem}`);
      return 2;
    }
    findings.push(...result);
    audited.push(cloud);
  }
  const skipped = CLOUDS.filter((c) => !audited.includes(c));
  if (json) out(JSON.stringify({ ok: findings.length === 0, audited, findings }, null, 2));
  else out(formatFindings(findings, audited, skipped));
  return findings.length ? 1 : 0;
}

function formatFindings(findings: readonly Finding[], audited: Cloud[], skipped: Cloud[]): string {
  const lines = findings.map(
    (f) =>
      `${f.kind.padEnd(12)} ${f.cloud.padEnd(6)} ${f.identity ?? "-"}${f.target ? ` → ${f.target}` : ""}\n    ${f.message}`,
  );
  const tally = findings.length
    ? `${findings.length} finding${findings.length === 1 ? "" : "s"} in ${audited.join(", ")}`
    : `no findings: what is deployed in ${audited.join(", ")} is exactly the intent's trust`;
  const rest = skipped.length
    ? [`not audited: ${skipped.map((c) => `${c} (no --${c} files)`).join(", ")}`]
    : [];
  return [...lines, ...(lines.length ? [""] : []), tally, ...rest].join("\n");
}

/** A file's JSON, or why it cannot be read (missing, too large, not JSON). */
function readJson(path: string): { json: unknown } | { why: string } {
  try {
    return { json: JSON.parse(readLimited(path, MAX_EXPORT_BYTES, "exports").toString("utf8")) };
  } catch (e) {
    return { why: e instanceof SyntaxError ? `not JSON (${e.message})` : readError(e) };
  }
}
