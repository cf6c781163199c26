import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { isError, quote } from "../errors";
import { diff } from "../inspect/diff";
import type { Unreadable } from "../intent/file";
import { MAX_INTENT_BYTES, readError, readIntentFile } from "../intent/file";
import type { LoadedText } from "../intent/load";
import { loadText } from "../intent/load";
import { formatIssueList, issueJson } from "./format";
import { formatDiff } from "./diff-format";
import { diffMarkdown } from "./diff-markdown";
import type { Streams } from "./streams";

/** How `diff` prints and when it fails. */
export interface DiffOptions {
  /** Print a Markdown comment for a pull request (never with `--json`). */
  readonly markdown?: boolean;
  /** Exit 1 when anything widens, or HEAD has errors. */
  readonly failOnWiden?: boolean;
}

/**
 * `trustplane diff BASE HEAD`: reads both versions (each a file, or `REV:PATH` read with
 * `git show` where no such file exists), compares them (`diff`) and prints who gains and who
 * loses access, the permissions and the resources that change: for a terminal, as JSON or as
 * Markdown. Exit 0; 1 with `failOnWiden` when anything widens or HEAD has errors (listed on
 * stderr, or as the JSON or Markdown); 2 for a version it cannot read (a revision git does not
 * know, a syntax error), naming it. A BASE with errors is listed on stderr and compared as
 * trusting nothing.
 */
export function diffCommand(
  baseArg: string,
  headArg: string,
  options: DiffOptions,
  { out, err, json }: Streams,
): number {
  const sides = [
    { label: "BASE", arg: baseArg },
    { label: "HEAD", arg: headArg },
  ].map((s) => ({ ...s, read: readVersion(s.arg) }));
  for (const { label, arg, read } of sides) {
    if ("unreadable" in read) {
      err(`trustplane: cannot read ${label} ${arg}: ${read.unreadable}`);
      return 2;
    }
    if (read.data === undefined) {
      err(formatIssueList(arg, read.issues));
      return 2;
    }
  }
  const [base, head] = sides.map((s) => s.read as LoadedText) as [LoadedText, LoadedText];
  const result = diff(base.data, head.data);
  const located = {
    base: result.issues.base.map(base.locate),
    head: result.issues.head.map(head.locate),
  };
  const refused = result.diff ? [] : located.head;
  if (!json && !options.markdown && refused.length) err(formatIssueList(headArg, refused));
  if (!result.diff) {
    if (json) out(JSON.stringify({ ok: false, issues: refused.map(issueJson) }, null, 2));
    else if (options.markdown) out(diffMarkdown({ base: baseArg, head: headArg, errors: refused }));
    return options.failOnWiden ? 1 : 0;
  }
  const baseErrors = located.base.filter(isError);
  if (baseErrors.length && !json) err(formatIssueList(baseArg, baseErrors));
  const report = { base: baseArg, head: headArg, diff: result.diff };
  if (json) out(JSON.stringify(result.diff, null, 2));
  else out(options.markdown ? diffMarkdown(report) : formatDiff(report));
  return options.failOnWiden && result.diff.widens ? 1 : 0;
}

/**
 * A version of the document: the file `arg`, or else, when `arg` is `REV:PATH`, the file PATH
 * (from the repository's root; `REV:./PATH` from the current folder) at the git revision REV
 * (none: the index), read with `git show` in the current folder.
 */
function readVersion(arg: string): LoadedText | Unreadable {
  const colon = arg.indexOf(":");
  if (existsSync(arg) || colon < 0) return readIntentFile(arg);
  const rev = arg.slice(0, colon);
  const path = arg.slice(colon + 1);
  if (rev.startsWith("-"))
    return {
      unreadable: `the revision ${quote(rev)} starts with "-", which git reads as an option`,
    };
  if (!path) return { unreadable: `name a file after the ':' of ${quote(arg)}` };
  let bytes: Buffer;
  try {
    bytes = execFileSync("git", ["show", "--no-textconv", arg], {
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: MAX_INTENT_BYTES,
      timeout: 60_000,
    });
  } catch (e) {
    return { unreadable: gitError(e) };
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return loadText(text.replace(/^\uFEFF/, ""));
  } catch {
    return { unreadable: "it is not UTF-8 text" };
  }
}

/** Why `git show` failed, in git's words where it gave some. */
function gitError(e: unknown): string {
  const { code, stderr } = e as { code?: string; stderr?: Buffer };
  if (code === "ENOENT") return "git is not installed (or not on PATH), and no such file exists";
  if (code === "ENOBUFS")
    return `it is over ${MAX_INTENT_BYTES} bytes; intent documents are at most ${MAX_INTENT_BYTES} bytes`;
  const said = stderr
    ?.toString("utf8")
    .trim()
    .split("\n")[0]
    ?.replace(/^fatal: /, "");
  return said ? `git show: ${said}` : readError(e);
}
