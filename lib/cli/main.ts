#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { compileDocument } from "../compile";
import { readIntentFile } from "../intent/file";
import type { LocatedIssue } from "../intent/load";
import { explainCommand, verifyCommand } from "./inspect";
import { renderCommand } from "./render";
import type { Streams } from "./streams";
import { formatIssueList, formatPlan, issueJson } from "./format";

const USAGE = `usage: trustplane <command> FILE [options]

commands:
  check FILE                  validate an intent document; list every error and warning
  plan FILE                   show what each cloud will enforce for every identity and grant
  explain FILE --token PATH   decide a token (JSON claims or a JWT) with every compiled artefact
  verify FILE                 check every cloud's artefacts against the intent on generated tokens
  render FILE --out DIR       write each identity's hand-off: Terraform backend and providers,
                              GCP credential configs, the CI job, HCP Terraform variables

options:
  --json          print machine-readable JSON
  --token PATH    the token for explain: a file, or - for standard input
  --jwks URL|FILE check the JWT's signature, expiry and issuer against this key set
  --out DIR       where render writes (created if missing)
  --outputs PATH  render: \`pulumi stack output --json\` of a stack, for values known after
                  pulumi up (Azure client IDs); repeat for one stack per account
  --help          show this help
  --version       print the version

exit codes: 0 fine, 1 the intent has errors or a check failed, 2 usage error or unreadable input`;

const COMMANDS = ["check", "plan", "explain", "verify", "render"];

/** Runs the CLI; resolves to the exit code. Writes only to the given streams; never throws. */
export async function run(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: "boolean" },
        token: { type: "string" },
        jwks: { type: "string" },
        out: { type: "string" },
        outputs: { type: "string", multiple: true },
        help: { type: "boolean" },
        version: { type: "boolean" },
      },
    });
  } catch (e) {
    return usage(err, (e as Error).message);
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
  if (!command || !COMMANDS.includes(command))
    return usage(err, command ? `unknown command "${command}"` : "missing command");
  if (!file || extra.length)
    return usage(err, file ? `unexpected argument "${extra[0]}"` : "missing FILE");
  if (command !== "explain" && (values.token !== undefined || values.jwks !== undefined)) {
    return usage(err, "--token and --jwks belong to explain");
  }
  if (command === "explain" && values.token === undefined)
    return usage(err, "explain needs --token PATH");
  if (command !== "render" && (values.out !== undefined || values.outputs !== undefined)) {
    return usage(err, "--out and --outputs belong to render");
  }
  if (command === "render" && values.out === undefined) return usage(err, "render needs --out DIR");

  const loaded = readIntentFile(file);
  if ("unreadable" in loaded) {
    err(`trustplane: cannot read ${file}: ${loaded.unreadable}`);
    return 2;
  }
  const streams: Streams = { out, err, json: !!values.json };
  if (loaded.data === undefined) {
    report(file, loaded.issues, streams);
    return 2;
  }
  const { plan, ir, issues } = compileDocument(loaded.data);
  const located = issues.map(loaded.locate);
  if (command === "check" || !plan || !ir) {
    report(file, located, streams);
    return plan ? 0 : 1;
  }
  if (command === "explain") return explainCommand(ir, plan, values.token!, values.jwks, streams);
  if (command === "verify") return verifyCommand(ir, plan, streams);
  if (command === "render") {
    const more = (found: readonly LocatedIssue[]) =>
      report(file, [...located, ...found.map(loaded.locate)], streams);
    return renderCommand(ir, plan, values.out!, values.outputs ?? [], more, streams);
  }
  if (streams.json) {
    out(JSON.stringify({ ...plan, warnings: located.map(issueJson) }, null, 2));
  } else {
    out(formatPlan(plan));
    if (located.length) err(formatIssueList(file, located));
  }
  return 0;
}

function usage(err: (s: string) => void, problem: string): number {
  err(`trustplane: ${problem}\n\n${USAGE}`);
  return 2;
}

function report(file: string, issues: readonly LocatedIssue[], { out, err, json }: Streams): void {
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
  void run(process.argv.slice(2), write(process.stdout), write(process.stderr)).then((code) => {
    process.exitCode = code;
  });
}
