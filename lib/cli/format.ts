import { backendOf } from "../backends";
import type { Issue } from "../errors";
import { count, formatPath } from "../errors";
import type { LocatedIssue } from "../intent/load";
import type { Decision } from "../inspect/explain";
import type { Verification } from "../inspect/verify";
import type { GrantPlan, IdentityPlan, Plan } from "../plan/types";

/** An issue as the JSON output carries it: the path as text, plus the line when known. */
export function issueJson(issue: LocatedIssue): Record<string, unknown> {
  return {
    code: issue.code,
    severity: issue.severity,
    path: formatPath(issue.path),
    message: issue.message,
    ...(issue.line !== undefined ? { line: issue.line, column: issue.column } : {}),
  };
}

/** `file:line:col: ✖ code: message` lines, then a one-line tally. */
export function formatIssueList(file: string, issues: readonly LocatedIssue[]): string {
  // errors first, each group in document order
  const ordered = [...issues].sort(
    (a, b) => Number(a.severity === "warning") - Number(b.severity === "warning"),
  );
  const shown = ordered.slice(0, MAX_LISTED);
  const lines = shown.map((i) => {
    const where = i.line !== undefined ? `${file}:${i.line}:${i.column}` : file;
    const mark = i.severity === "error" ? "✖ error" : "⚠ warning";
    const path = i.path.length ? `\n    at ${formatPath(i.path)}` : "";
    // a message's later lines (a syntax error's excerpt) are indented under its first, like `at`
    const message = i.message.replaceAll("\n", "\n    ");
    return `${where}: ${mark} ${i.code}: ${message}${path}`;
  });
  const more = issues.length - shown.length;
  const rest = more > 0 ? [`... and ${more} more; --json lists them all`] : [];
  return [...lines, ...rest, tally(issues)].join("\n");
}

/** A human reads the first hundred; a runaway document can hold far more. */
const MAX_LISTED = 100;

function tally(issues: readonly Issue[]): string {
  const errors = issues.filter((i) => i.severity === "error").length;
  const warnings = issues.length - errors;
  if (issues.length === 0) return "no issues";
  return [errors && count(errors, "error"), warnings && count(warnings, "warning")]
    .filter(Boolean)
    .join(", ");
}

/** The human plan: per identity, what it trusts, then per grant what each cloud will enforce. */
export function formatPlan(plan: Plan): string {
  const grants = plan.identities.flatMap((i) => i.grants);
  const resources = new Set(grants.flatMap((g) => g.resources.map((r) => `${r.type} ${r.name}`)));
  const blocks = plan.identities.map(formatIdentity);
  blocks.push(
    `${count(plan.identities.length, "identity", "identities")}, ${count(grants.length, "grant")}, ${count(resources.size, "resource")} to create`,
  );
  return blocks.join("\n\n");
}

function formatIdentity(identity: IdentityPlan): string {
  const lines = [
    `${identity.name}  trusts ${identity.issuer} (${identity.issuerUrl})`,
    ...identity.accepts.map((a, i) => `  ${(i === 0 ? "accepts" : "or").padEnd(16)}${a}`),
  ];
  for (const g of identity.grants) lines.push(...formatGrant(g));
  return lines.join("\n");
}

function formatGrant(g: GrantPlan): string[] {
  return [`  → ${g.target} (${g.cloud})  aud ${g.audience}`, ...backendOf(g.cloud).describe(g)];
}

/** The explain table: one row per identity × grant, the reason after it. */
export function formatDecisions(decisions: readonly Decision[], notes: readonly string[]): string {
  const width = (key: "identity" | "target") =>
    Math.max(key.length, ...decisions.map((d) => d[key].length));
  const [wi, wt] = [width("identity"), width("target")];
  const rows = decisions.map(
    (d) =>
      `${d.identity.padEnd(wi)}  ${d.target.padEnd(wt)}  ${d.cloud.padEnd(5)}  ${d.allowed ? "allowed" : "denied "}  ${d.reason}`,
  );
  const head = `${"identity".padEnd(wi)}  ${"target".padEnd(wt)}  cloud  decision reason`;
  const allowed = decisions.filter((d) => d.allowed).length;
  return [
    head,
    ...rows,
    "",
    `${count(allowed, "grant")} of ${decisions.length} allow this token`,
    ...notes.map((n) => `note: ${n}`),
  ].join("\n");
}

/** The verify report: per identity × grant the tokens tried and agreed, then every divergence. */
export function formatVerification(v: Verification): string {
  const lines = v.grants.map(
    (g) =>
      `${g.identity}  ${g.target} (${g.cloud})  ${g.agreed}/${g.tried} agree, ${g.accepted} accepted by the intent${g.accepted === 0 ? "  ✖ no accepted token was tried: the check proves little" : ""}`,
  );
  const divergences = v.divergences.map(
    (d) =>
      `✖ ${d.identity} → ${d.target} (${d.cloud}): the intent ${d.intent ? "accepts" : "refuses"} ${d.origin}, the cloud ${d.allowed ? "allows" : "denies"} it: ${d.reason}\n    token ${JSON.stringify(d.token)}`,
  );
  const checks = v.grants.reduce((n, g) => n + g.tried, 0);
  const summary = `${count(v.tokens, "token")}, ${count(checks, "decision")}, ${count(v.divergences.length, "divergence")}: ${v.ok ? "every cloud decides as the intent means" : "NOT VERIFIED"}`;
  return [...lines, ...(divergences.length ? ["", ...divergences] : []), "", summary].join("\n");
}
