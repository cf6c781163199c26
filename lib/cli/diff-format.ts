import { count } from "../errors";
import type { LocatedIssue } from "../intent/load";
import type { AccessChange, PermissionChange, TrustDiff } from "../inspect/diff";
import { oneLine } from "./markdown";

/** What `diff` prints about: the two versions as given on the command line, and their diff. */
export interface DiffReport {
  readonly base: string;
  readonly head: string;
  readonly diff: TrustDiff;
}

/** A diff that could not be made: HEAD has errors. */
export interface RefusedDiff {
  readonly base: string;
  readonly head: string;
  readonly errors: readonly LocatedIssue[];
}

/** Tokens of one kind (one summary) that gain or lose access, and the targets where they do. */
export interface AccessLine {
  readonly summary: string;
  readonly targets: readonly string[];
}

/** The tokens one selector lets in (`gained`, HEAD's) or no longer lets in (`lost`, BASE's). */
export interface SelectorChange {
  readonly change: AccessChange["change"];
  /** The selector in words; undefined for tokens no selector accepts. */
  readonly selector?: string;
  readonly lines: readonly AccessLine[];
}

/** One identity's part of the diff: its access changes, then its permission changes. */
export interface IdentityDiff {
  readonly identity: string;
  readonly access: readonly SelectorChange[];
  readonly permissions: readonly PermissionChange[];
}

/** Lines shown per selector: a loosened pattern lets in many kinds of token. */
export const MAX_LINES = 8;

/**
 * The diff per identity, in the order the diff lists them: gains then losses, by the selector
 * that accepts the tokens, each summary once with the targets where it changes; then the
 * identity's permission changes.
 */
export function groupDiff(diff: TrustDiff): IdentityDiff[] {
  const names = [...new Set([...diff.changes, ...diff.permissions].map((c) => c.identity))];
  return names.map((identity) => {
    type Line = { summary: string; targets: string[] };
    const groups: { change: AccessChange["change"]; selector?: string; lines: Line[] }[] = [];
    for (const c of diff.changes.filter((x) => x.identity === identity)) {
      let group = groups.find((g) => g.change === c.change && g.selector === c.selector);
      if (!group) {
        group = { change: c.change, ...(c.selector ? { selector: c.selector } : {}), lines: [] };
        groups.push(group);
      }
      const line = group.lines.find((l) => l.summary === c.summary);
      if (line) line.targets.push(c.target);
      else group.lines.push({ summary: c.summary, targets: [c.target] });
    }
    return {
      identity,
      access: [
        ...groups.filter((g) => g.change === "gained"),
        ...groups.filter((g) => g.change === "lost"),
      ],
      permissions: diff.permissions.filter((p) => p.identity === identity),
    };
  });
}

/** The targets an identity gains (or loses) access in, over all its tokens. */
export function targetsOf(group: IdentityDiff, change: AccessChange["change"]): string[] {
  const lines = group.access.filter((g) => g.change === change).flatMap((g) => g.lines);
  return [...new Set(lines.flatMap((l) => l.targets))];
}

/** How a selector's tokens changed: `gains, by its selector …:` or `gains, by no selector:`. */
function selectorHeading(g: SelectorChange): string {
  const verb = g.change === "gained" ? "gains" : "loses";
  return g.selector === undefined
    ? `${verb}, though no selector accepts these (verify shows why):`
    : `${verb}, by its selector ${g.selector}:`;
}

/** A permission change in words: `+ managed policy arn:… (aws-prod)`. */
function permissionLine(p: PermissionChange): string {
  const mark = { added: "+", removed: "-", changed: "~" }[p.change];
  const scope = p.scope === undefined ? "" : ` on ${p.scope}`;
  return `${mark} ${p.kind} ${p.name}${scope} (${p.target}${p.change === "changed" ? ", changed" : ""})`;
}

/**
 * The diff in a line per kind of change: who gains and who loses access, in which targets; the
 * counts of permission and resource changes; "no change" when there is none.
 */
function headline(diff: TrustDiff): string[] {
  const groups = groupDiff(diff);
  const who = (change: AccessChange["change"], verb: string, verbs: string) => {
    const them = groups.filter((g) => targetsOf(g, change).length);
    if (!them.length) return [];
    const list = them.map((g) => `${g.identity} (${targetsOf(g, change).join(", ")})`);
    const n = count(them.length, "identity", "identities");
    return [`${n} ${them.length === 1 ? verb : verbs} access: ${list.join("; ")}`];
  };
  const tally = (what: string, parts: [number, string][]) => {
    const shown = parts.filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`);
    return shown.length ? [`${what}: ${shown.join(", ")}`] : [];
  };
  const by = (change: PermissionChange["change"]) =>
    diff.permissions.filter((p) => p.change === change).length;
  const { added, removed, changed } = diff.resources;
  const lines = [
    ...who("gained", "gains", "gain"),
    ...who("lost", "loses", "lose"),
    ...tally("permissions", [
      [by("added"), "added"],
      [by("removed"), "removed"],
      [by("changed"), "changed"],
    ]),
    ...tally("resources", [
      [added.length, "added"],
      [removed.length, "removed"],
      [changed.length, "replaced"],
    ]),
  ];
  return lines.length
    ? lines
    : ["no change: every token is decided as before, and no permission or resource changes"];
}

/**
 * The diff for a terminal: the versions and the headline, then per identity its access changes
 * by selector (the first `MAX_LINES` summaries of each) and its permission changes, then the
 * resources and the notes. Names and values from the documents are shown on one line each.
 */
export function formatDiff({ base, head, diff }: DiffReport): string {
  const out = [`${oneLine(base)} → ${oneLine(head)}`, ...headline(diff), ""];
  for (const group of groupDiff(diff)) {
    out.push(group.identity);
    for (const g of group.access) {
      out.push(`  ${oneLine(selectorHeading(g))}`);
      for (const line of g.lines.slice(0, MAX_LINES))
        out.push(`    ${oneLine(line.summary)}`, `      in ${line.targets.join(", ")}`);
      const more = g.lines.length - MAX_LINES;
      if (more > 0) out.push(`    ... and ${more} more; --json lists them all`);
    }
    for (const p of group.permissions) out.push(`  ${oneLine(permissionLine(p))}`);
    out.push("");
  }
  const { added, removed, changed } = diff.resources;
  if (added.length + removed.length + changed.length) {
    out.push("resources (pulumi up)");
    for (const r of added) out.push(`  + ${r.type} ${oneLine(r.name)}`);
    for (const r of removed) out.push(`  - ${r.type} ${oneLine(r.name)}`);
    for (const r of changed)
      out.push(`  ~ ${r.type} ${oneLine(r.name)}`, `      ${oneLine(r.reason)}`);
    out.push("");
  }
  for (const note of diff.notes) out.push(`note: ${oneLine(note)}`);
  return out.join("\n").trimEnd();
}
