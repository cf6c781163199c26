import type { Finding, NotCompared } from "../audit/finding";
import { CLOUDS } from "../backends";
import { AUDITS } from "../backends/audits";
import type { Cloud } from "../backends/cloud";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import type { AuditReport } from "./audit-format";
import { formatAudit } from "./audit-format";
import { auditMarkdown } from "./audit-markdown";
import type { DeployedPaths } from "./deployed-files";
import { readDeployed } from "./deployed-files";
import type { Streams } from "./streams";

/** How `audit` prints: a Markdown report instead of the terminal's output (never with `--json`). */
export interface AuditOptions {
  readonly markdown?: boolean;
}

/**
 * `trustplane audit`: reads each cloud's files of deployed state (CLI outputs, JSON) and the
 * cloud's resources of Pulumi stack exports, compares them with the compiled intent (the file
 * `intent`) and prints the findings grouped by identity and cloud, what the files did not let it
 * compare and the clouds it did not audit: for a terminal, as JSON (`{ok, audited, findings,
 * notCompared}`), or as a Markdown report. Exit 0 without findings, 1 with, 2 for a file it
 * cannot read (naming it) or exports that hold no cloud's state. Clouds with neither files nor
 * resources in the exports are said to be not audited.
 */
export function auditCommand(
  ir: DocumentIR,
  plan: Plan,
  intent: string,
  files: DeployedPaths & AuditOptions,
  { out, err, json }: Streams,
): number {
  const refused = (problems: readonly string[]) => {
    for (const problem of problems) err(`trustplane: ${problem}`);
    return 2;
  };
  const read = readDeployed(files);
  if ("problems" in read) return refused(read.problems);
  const findings: Finding[] = [];
  const notCompared: NotCompared[] = [];
  const audited = CLOUDS.filter((c) => read.byCloud[c] !== undefined);
  for (const cloud of audited) {
    const deployed = read.byCloud[cloud]!;
    const result = AUDITS[cloud].audit(ir, plan, deployed);
    if ("problems" in result) return refused(result.problems);
    findings.push(...result);
    notCompared.push(...AUDITS[cloud].notCompared(plan, deployed));
  }
  const sources = [...CLOUDS, "pulumi-state" as const];
  // an audit of nothing must not pass as "no findings"
  if (audited.length === 0)
    return refused([
      `the --pulumi-state exports hold no resources of ${CLOUDS.join(", ")}: nothing to audit; pass ${sources.map((s) => `--${s}`).join(", ")} files that hold deployed state`,
    ]);
  const stated = files["pulumi-state"]?.length
    ? (cloud: Cloud) =>
        `no --${cloud} files, and no ${cloud} resources in the --pulumi-state exports`
    : (cloud: Cloud) => `no --${cloud} files`;
  const report: AuditReport = {
    intent,
    inputs: sources.flatMap((option) => {
      const paths = files[option] ?? [];
      return paths.length ? [{ option, paths }] : [];
    }),
    identities: plan.identities.map((i) => ({
      name: i.name,
      clouds: CLOUDS.filter((c) => i.grants.some((g) => g.cloud === c)),
    })),
    audited,
    notAudited: CLOUDS.filter((c) => !audited.includes(c)).map((cloud) => ({
      cloud,
      why: stated(cloud),
    })),
    findings,
    notCompared,
  };
  if (json)
    out(JSON.stringify({ ok: findings.length === 0, audited, findings, notCompared }, null, 2));
  else out(files.markdown ? auditMarkdown(report) : formatAudit(report));
  return findings.length ? 1 : 0;
}
