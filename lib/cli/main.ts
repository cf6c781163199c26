#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { analyse } from "../compile";
import { readIntentFile } from "../intent/file";
import type { LocatedIssue } from "../intent/load";
import { formatIssueList, formatPlan, issueJson } from "./format";

const USAGE = `usage: trustplane <command> FILE [--json]

commands:
  check FILE   validate an intent document; list every error and warning
  plan FILE    show what each cloud will enforce for every identity and grant

options:
  --json       print machine-readable JSON
  --help       show this help
  --version    print the version

exit codes: 0 fine, 1 the intent has errors, 2 usage error or unreadable input`;

/** Runs the CLI; returns the exit code. Writes only to the given streams. */
export function run(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: "boolean" },
        help: { type: "boolean" },
        version: { type: "boolean" },
      },
    });
  } catch (e) {
    err(`trustplane: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (values.version) {
    out(version());
    return 0;
  }
  const [command, file, ...extra] = positionals;
  if (command !== "check" && command !== "plan") {
    err(`trustplane: ${command ? `unknown command "${command}"` : "missing command"}\n\n${USAGE}`);
    return 2;
  }
  if (!file || extra.length) {
    err(`trustplane: ${file ? `unexpected argument "${extra[0]}"` : "missing FILE"}\n\n${USAGE}`);
    return 2;
  }
  const loaded = readIntentFile(file);
  if ("unreadable" in loaded) {
    err(`trustplane: cannot read ${file}: ${loaded.unreadable}`);
    return 2;
  }
  if (loaded.data === undefined) {
    report(file, loaded.issues, !!values.json, out, err);
    return 2;
  }
  const { plan, issues } = analyse(loaded.data);
  const located = issues.map(loaded.locate);
  if (command === "check" || !plan) {
    report(file, located, !!values.json, out, err);
    return plan ? 0 : 1;
  }
  if (values.json) {
    out(JSON.stringify({ ...plan, warnings: located.map(issueJson) }, null, 2));
  } else {
    out(formatPlan(plan));
    if (located.length) err(formatIssueList(file, located));
  }
  return 0;
}

function report(
  file: string,
  issues: readonly LocatedIssue[],
  json: boolean,
  out: (s: string) => void,
  err: (s: string) => void,
): void {
  const ok = !issues.some((i) => i.severity === "error");
  if (json) out(JSON.stringify({ ok, issues: issues.map(issueJson) }, null, 2));
  else (ok ? out : err)(formatIssueList(file, issues));
}

function version(): string {
  // the package root is two folders up from both lib/cli and dist/cli
  const pkg = JSON.parse(readFileSync(`${__dirname}/../../package.json`, "utf8")) as {
    version: string;
  };
  return pkg.version;
}

if (require.main === module) {
  const write = (stream: NodeJS.WriteStream) => (s: string) => stream.write(`${s}\n`);
  process.exitCode = run(process.argv.slice(2), write(process.stdout), write(process.stderr));
}
