import { count, formatPath } from "../errors";
import type { TrustDiff } from "../inspect/diff";
import type { DiffReport, IdentityDiff, RefusedDiff } from "./diff-format";
import { mdCode as code, mdText as text } from "./markdown";
import { MAX_LINES, groupDiff, targetsOf } from "./diff-format";

/**
 * The diff as a pull request comment: a title naming both versions, a summary in words first
 * (what widens, who gains access where; what narrows; the counts of permission and resource
 * changes), then the details: per identity its access lines and permission changes, the
 * resources `pulumi up` adds, removes and replaces, and the notes; cut short at a line before
 * `MAX_COMMENT` characters (GitHub takes up to 65,536). A HEAD with errors gives a comment
 * listing them. Values from the documents and the command line (names, claim values, policy
 * names) are in code spans whose fence outruns their backticks, or escaped, so none can end a
 * code span, start a line, a cell or a link, or be read as HTML. It holds no time: the same
 * versions give the same comment.
 */
export function diffMarkdown(report: DiffReport | RefusedDiff): string {
  const out = [`### trustplane diff: ${code(report.base)} → ${code(report.head)}`, ""];
  if ("errors" in report) {
    out.push(
      `**HEAD has ${count(report.errors.filter((i) => i.severity === "error").length, "error")}**, so it cannot be compared:`,
      "",
    );
    for (const i of report.errors.filter((x) => x.severity === "error")) {
      const where = i.line !== undefined ? ` (line ${i.line})` : "";
      const path = i.path.length ? ` at ${code(formatPath(i.path))}` : "";
      out.push(`- ${code(i.code)}${path}${where}: ${text(i.message)}`);
    }
    return out.join("\n");
  }
  const { diff } = report;
  const groups = groupDiff(diff);
  out.push(...summary(diff, groups), "");
  if (groups.length) out.push("#### Access and permissions", "");
  for (const group of groups) out.push(...details(group), "");
  const { added, removed, changed } = diff.resources;
  if (added.length + removed.length + changed.length) {
    out.push("#### Resources (`pulumi up`)", "");
    for (const r of added) out.push(`- added ${code(r.type)} ${code(r.name)}`);
    for (const r of removed) out.push(`- removed ${code(r.type)} ${code(r.name)}`);
    for (const r of changed)
      out.push(`- **replaced** ${code(r.type)} ${code(r.name)}: ${text(r.reason)}`);
    out.push("");
  }
  if (diff.notes.length) {
    out.push("#### Notes", "");
    for (const note of diff.notes) out.push(`- ${text(note)}`);
    out.push("");
  }
  if (diff.changes.length)
    out.push(
      "`trustplane diff --json` lists a token for each line, with each cloud's decision on it.",
    );
  return fit(out.join("\n").trimEnd());
}

/** The most a comment holds: GitHub refuses comments over 65,536 characters. */
export const MAX_COMMENT = 60_000;

/** The comment, cut at the last whole line that fits, with a line saying so. */
function fit(comment: string): string {
  if (comment.length <= MAX_COMMENT) return comment;
  const cut = comment.lastIndexOf("\n", MAX_COMMENT - 200);
  return `${comment.slice(0, cut)}\n\n… cut short to fit a comment: \`trustplane diff\` prints all of it.`;
}

/**
 * The summary: widens or not; who gains and who loses access where, with which first kind of
 * token; whose permissions change; the count of resource changes.
 */
function summary(diff: TrustDiff, groups: readonly IdentityDiff[]): string[] {
  const out: string[] = [];
  const verdict = diff.widens
    ? diff.narrows
      ? "**Widens and narrows** who may do what."
      : "**Widens** who may do what."
    : diff.narrows
      ? "**Narrows only** who may do what."
      : "**Neither widens nor narrows**: every token is decided as before, and no permission changes.";
  for (const change of ["gained", "lost"] as const) {
    for (const g of groups) {
      const targets = targetsOf(g, change);
      if (!targets.length) continue;
      const mine = g.access.filter((a) => a.change === change);
      const lines = mine.flatMap((a) => a.lines);
      const verb = change === "gained" ? "gains" : "loses";
      const first = code(lines[0]!.summary);
      // one selector's many tokens read best as that selector, with the first as an example
      const which =
        lines.length === 1
          ? first
          : mine.length === 1 && mine[0]!.selector !== undefined
            ? `${count(lines.length, "kind")} of token of its selector ${code(mine[0]!.selector)}, such as ${first}`
            : `${count(lines.length, "kind")} of token, such as ${first}`;
      out.push(`- ${code(g.identity)} ${verb} access in ${targets.map(code).join(", ")}: ${which}`);
    }
  }
  for (const g of groups.filter((x) => x.permissions.length)) {
    const n = (change: string) => g.permissions.filter((p) => p.change === change).length;
    const counts = [`${n("added")} added`, `${n("removed")} removed`, `${n("changed")} changed`];
    const targets = [...new Set(g.permissions.map((p) => p.target))].map(code).join(", ");
    out.push(
      `- ${code(g.identity)} permissions in ${targets}: ${counts.filter((c) => !c.startsWith("0 ")).join(", ")}`,
    );
  }
  const r = diff.resources;
  if (r.added.length + r.removed.length + r.changed.length)
    out.push(
      `- resources: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} replaced`,
    );
  return out.length ? [verdict, "", ...out] : [verdict];
}

/** One identity: its access changes by selector (the first `MAX_LINES` of each), its permissions. */
function details(group: IdentityDiff): string[] {
  const out = [`##### ${code(group.identity)}`, ""];
  for (const g of group.access) {
    const verb = g.change === "gained" ? "gains" : "loses";
    out.push(
      g.selector === undefined
        ? `- ${verb}, though no selector accepts these (verify shows why):`
        : `- ${verb}, by its selector ${code(g.selector)}:`,
    );
    for (const line of g.lines.slice(0, MAX_LINES))
      out.push(`  - ${code(line.summary)} in ${line.targets.map(code).join(", ")}`);
    const more = g.lines.length - MAX_LINES;
    if (more > 0) out.push(`  - … and ${more} more`);
  }
  for (const p of group.permissions) {
    const scope = p.scope === undefined ? "" : ` on ${code(p.scope)}`;
    out.push(`- ${p.change} ${p.kind} ${code(p.name)}${scope} in ${code(p.target)}`);
  }
  return out;
}
