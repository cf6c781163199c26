import { oneLine } from "./markdown";
import type { Finding, NotCompared } from "../audit/finding";
import { FINDING_KINDS } from "../audit/finding";
import type { Cloud } from "../backends/cloud";

/** What one `trustplane audit` run read and found: what its human and Markdown reports show. */
export interface AuditReport {
  /** The intent document's path, as given. */
  readonly intent: string;
  /** The files of deployed state, per option (`--aws`, `--pulumi-state`), as given. */
  readonly inputs: readonly { readonly option: string; readonly paths: readonly string[] }[];
  /** The intent's identities in its order, each with the clouds of its grants. */
  readonly identities: readonly { readonly name: string; readonly clouds: readonly Cloud[] }[];
  readonly audited: readonly Cloud[];
  /** The clouds not audited, each with why: none of the files hold its deployed state. */
  readonly notAudited: readonly { readonly cloud: Cloud; readonly why: string }[];
  /** Each of an identity of `identities`, or of none (trust no identity plans). */
  readonly findings: readonly Finding[];
  readonly notCompared: readonly NotCompared[];
}

/** The findings of one identity (without one: those not in the intent), per cloud. */
export interface FindingGroup {
  readonly identity?: string;
  readonly clouds: readonly { readonly cloud: Cloud; readonly findings: readonly Finding[] }[];
}

/**
 * The report's findings grouped by identity, in the intent's order, then those of no identity
 * (unmanaged and risky trust), each group per cloud in the audit's order. Groups and clouds
 * without findings are left out.
 */
export function groupFindings(report: AuditReport): FindingGroup[] {
  const keys = [...report.identities.map((i) => i.name), undefined];
  return keys.flatMap((identity) => {
    const mine = report.findings.filter((f) => f.identity === identity);
    const clouds = report.audited.flatMap((cloud) => {
      const findings = mine.filter((f) => f.cloud === cloud);
      return findings.length ? [{ cloud, findings }] : [];
    });
    return clouds.length ? [{ ...(identity === undefined ? {} : { identity }), clouds }] : [];
  });
}

/** Counts of findings by kind, in `FINDING_KINDS` order: "2 permissions, 1 unmanaged". */
export function countByKind(findings: readonly Finding[]): string {
  return FINDING_KINDS.flatMap((kind) => {
    const n = findings.filter((f) => f.kind === kind).length;
    return n ? [`${n} ${kind}`] : [];
  }).join(", ");
}

/** "1 finding", "3 findings". */
export function findingCount(n: number): string {
  return `${n} finding${n === 1 ? "" : "s"}`;
}

/** A finding's message without the resource it often starts with, which reports show beside it. */
export function messageOf(f: Finding): string {
  return f.message.startsWith(`${f.resource}: `)
    ? f.message.slice(f.resource.length + 2)
    : f.message;
}

/**
 * The audit for a terminal: findings grouped by identity then cloud (those of no identity under
 * "not in the intent"), each as its kind, resource and target on one line and its message on
 * the next; then the tally, what was not compared in the clouds audited (and why, on the next
 * line), and the clouds not audited. Without findings it says the deployed trust is exactly the intent's only when
 * everything was compared.
 */
export function formatAudit(report: AuditReport): string {
  const lines: string[] = [];
  for (const group of groupFindings(report)) {
    lines.push(group.identity === undefined ? "not in the intent" : oneLine(group.identity));
    for (const { cloud, findings } of group.clouds) {
      lines.push(`  ${cloud}`);
      for (const f of findings) {
        const target = f.target === undefined ? "" : ` → ${oneLine(f.target)}`;
        lines.push(`    ${f.kind.padEnd(12)} ${oneLine(f.resource)}${target}`);
        lines.push(`      ${oneLine(messageOf(f))}`);
      }
    }
    lines.push("");
  }
  const clouds = report.audited.join(", ");
  const { findings, notCompared, notAudited } = report;
  lines.push(
    findings.length
      ? `${findingCount(findings.length)} in ${clouds}: ${countByKind(findings)}`
      : notCompared.length
        ? `no findings in ${clouds}, but not all was compared:`
        : `no findings: what is deployed in ${clouds} is exactly the intent's trust`,
  );
  for (const n of notCompared)
    lines.push(`not compared in ${n.cloud}: ${oneLine(n.what)}`, `  ${oneLine(n.why)}`);
  if (notAudited.length)
    lines.push(`not audited: ${notAudited.map((n) => `${n.cloud} (${n.why})`).join(", ")}`);
  return lines.join("\n");
}
