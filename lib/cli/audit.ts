import type { Finding } from "../audit/finding";
import { CLOUDS } from "../backends";
import type { DeployedFile } from "../backends/audits";
import { AUDITS } from "../backends/audits";
import type { Cloud } from "../backends/cloud";
import { readError, readLimited } from "../intent/file";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import type { Streams } from "./streams";

/** Exports of large accounts run to tens of megabytes; far beyond that is a mistake. */
const MAX_EXPORT_BYTES = 256 * 1024 * 1024;

/**
 * `trustplane audit`: reads each cloud's files of deployed state (CLI outputs, JSON), compares
 * them with the compiled intent and prints the findings. Exit 0 without findings, 1 with, 2 for
 * a file it cannot read (naming it). Clouds without files are said to be not audited.
 */
export function auditCommand(
  ir: DocumentIR,
  plan: Plan,
  files: Partial<Record<Cloud, readonly string[]>>,
  { out, err, json }: Streams,
): number {
  const findings: Finding[] = [];
  const audited: Cloud[] = [];
  for (const cloud of CLOUDS) {
    const paths = files[cloud] ?? [];
    if (paths.length === 0) continue;
    const read: DeployedFile[] = [];
    for (const path of paths) {
      try {
        const text = readLimited(path, MAX_EXPORT_BYTES, "exports").toString("utf8");
        read.push({ source: path, json: JSON.parse(text) as unknown });
      } catch (e) {
        const why = e instanceof SyntaxError ? `not JSON (${e.message})` : readError(e);
        err(`trustplane: cannot read ${path}: ${why}; expected ${AUDITS[cloud].reads}`);
        return 2;
      }
    }
    const result = AUDITS[cloud].audit(ir, plan, read);
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
