import type { Finding } from "../audit/finding";
import { FINDING_KINDS } from "../audit/finding";
import type { Cloud } from "../backends/cloud";
import type { AuditReport } from "./audit-format";
import { findingCount, groupFindings, messageOf } from "./audit-format";
import { mdCode as code, mdText as text } from "./markdown";

/**
 * The audit as a Markdown report to attach to an access review or an issue: a title naming the
 * intent, the files of deployed state read, the outcome, a table of findings per cloud and kind,
 * a section per identity of the intent (its status per cloud, then its findings per cloud, the
 * token of an over- or under-grant as JSON), one for findings of no identity, then what was not
 * compared and the clouds not audited. It holds no time: the same files give the same report.
 * Values from files and the command line (names, messages, claim values) are escaped, so none can
 * end a code span, start a line, a table cell or a bracketed link, or be read as HTML.
 */
export function auditMarkdown(report: AuditReport): string {
  const out = [`# trustplane audit: ${code(report.intent)}`, ""];
  out.push(`The intent ${code(report.intent)} against the deployed state read from:`, "");
  for (const { option, paths } of report.inputs)
    out.push(`- ${code(`--${option}`)}: ${paths.map(code).join(", ")}`);
  out.push("", outcome(report), "");
  if (report.audited.length) out.push(...summaryTable(report.findings, report.audited), "");
  const groups = groupFindings(report);
  for (const { name, clouds } of report.identities) {
    const mine = groups.find((g) => g.identity === name)?.clouds ?? [];
    out.push(`## ${text(name)}`, "");
    for (const cloud of clouds) {
      const found = mine.find((c) => c.cloud === cloud)?.findings.length ?? 0;
      const status = !report.audited.includes(cloud)
        ? "not audited"
        : found
          ? findingCount(found)
          : "no findings";
      out.push(`- ${cloud}: ${status}`);
    }
    out.push("");
    for (const { cloud, findings } of mine) out.push(`### ${cloud}`, "", ...findings.map(item), "");
  }
  const stray = groups.find((g) => g.identity === undefined)?.clouds ?? [];
  if (stray.length) {
    out.push("## Not in the intent", "");
    for (const { cloud, findings } of stray)
      out.push(`### ${cloud}`, "", ...findings.map(item), "");
  }
  if (report.notCompared.length) {
    out.push("## Not compared", "");
    for (const n of report.notCompared) out.push(`- ${n.cloud}: ${text(n.what)} — ${text(n.why)}`);
    out.push("");
  }
  if (report.notAudited.length) {
    out.push("## Not audited", "");
    for (const n of report.notAudited) out.push(`- ${n.cloud}: ${text(n.why)}`);
    out.push("");
  }
  return out.join("\n").trimEnd();
}

/** The outcome in one sentence; "exactly the intent's trust" only when everything was compared. */
function outcome({ findings, audited, notCompared }: AuditReport): string {
  const clouds = audited.join(", ");
  if (findings.length) return `**${findingCount(findings.length)}** in ${clouds}.`;
  return notCompared.length
    ? `**No findings** in ${clouds}, in what was compared: see *Not compared* below.`
    : `**No findings**: what is deployed in ${clouds} is exactly the intent's trust.`;
}

/** Findings per cloud (rows) and kind (columns); a total row when several clouds were audited. */
function summaryTable(findings: readonly Finding[], audited: readonly Cloud[]): string[] {
  const row = (label: string, of: readonly Finding[]) =>
    `| ${[label, ...FINDING_KINDS.map((k) => of.filter((f) => f.kind === k).length), of.length].join(" | ")} |`;
  return [
    `| cloud | ${FINDING_KINDS.join(" | ")} | total |`,
    `| --- | ${FINDING_KINDS.map(() => "---:").join(" | ")} | ---: |`,
    ...audited.map((cloud) =>
      row(
        cloud,
        findings.filter((f) => f.cloud === cloud),
      ),
    ),
    ...(audited.length > 1 ? [row("total", findings)] : []),
  ];
}

/** A finding as a list item: kind, resource, target and message; its token in a nested item. */
function item(f: Finding): string {
  const target = f.target === undefined ? "" : ` (target ${code(f.target)})`;
  const head = `- **${f.kind}** ${code(f.resource)}${target}: ${text(messageOf(f))}`;
  return f.token === undefined ? head : `${head}\n  - token: ${code(JSON.stringify(f.token))}`;
}
