#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { compileDocument } from "../compile";
import { readIntentFile } from "../intent/file";
import type { LocatedIssue } from "../intent/load";
import { explainCommand, verifyCommand } from "./inspect";
import { renderCommand } from "./render";
import { auditCommand } from "./audit";
import { importCommand } from "./import";
import { diffCommand } from "./diff";
import { CLOUDS } from "../backends";
import type { Cloud } from "../backends/cloud";
import type { Streams } from "./streams";
import { quote, visible } from "../errors";
import { formatIssueList, formatPlan, issueJson } from "./format";
import { editDistance } from "../internal/edit-distance";
import type { Plan } from "../plan/types";

const USAGE = `usage: trustplane <command> FILE [options]

commands:
  check FILE                  validate an intent document; list every error and warning
  plan FILE                   show what each cloud will enforce for every identity and grant
  explain FILE --token PATH   decide a token (JSON claims or a JWT) with every compiled artefact
  verify FILE                 check every cloud's artefacts against the intent on generated tokens
  render FILE --out DIR       write each identity's hand-off: Terraform backend and providers,
                              GCP credential configs, the CI job, HCP Terraform variables
  audit FILE --aws|--azure|--gcp|--pulumi-state EXPORT...
                              compare what is deployed (the clouds' CLI outputs, Pulumi stack
                              exports) with the intent
  import --aws|--azure|--gcp|--pulumi-state EXPORT... --out FILE
                              draft an intent document from deployed trust, proved exact on
                              verify's tokens
  diff BASE HEAD              who gains and who loses access between two versions of an intent
                              (files, or REV:PATH read with git show), for a pull request

options:
  --json          print machine-readable JSON
  --markdown      audit: print a Markdown report, for an access review or an issue;
                  diff: a comment for a pull request
  --fail-on-widen diff: exit 1 when anything gains access or a permission, or HEAD has errors
  --token PATH    the token for explain: a file, or - for standard input
  --jwks URL|FILE check the JWT's signature, expiry and issuer against this key set
  --identity NAME explain: only this identity's grants; repeat for several
  --expect ANSWER explain: allow (some grant allows the token) or deny (none does); exit 1
                  when the decisions say otherwise
  --out DIR       where render writes (created if missing); import: the draft's file
  --outputs PATH  render: \`pulumi stack output --json\` of a stack, for values known after
                  pulumi up (Azure client IDs); repeat for one stack per account
  --force         render: also replace files in --out that render did not write
  --format FMT    render: Terraform files as hcl (.tf, the default) or json (.tf.json)
  --strict        render: write nothing and exit 1 while a value is known only after pulumi up
  --aws FILE      audit: aws iam get-account-authorization-details, get-role or
                  get-open-id-connect-provider --output json; repeat for several
  --azure FILE    audit: az identity federated-credential list, az role assignment list --all
                  and az identity list (or show) -o json; repeat for several
  --gcp FILE      audit: gcloud iam workload-identity-pools providers list, gcloud asset
                  search-all-iam-policies, or get-iam-policy wrapped as {resource, policy}
                  (--format=json); repeat for several
  --pulumi-state FILE
                  audit, import: pulumi stack export of a stack, read for every cloud; repeat
  --help          show this help
  --version       print the version

exit codes: 0 fine, 1 the intent has errors or a check failed, 2 usage error or unreadable input`;

const COMMANDS = ["check", "plan", "explain", "verify", "render", "audit", "import", "diff"];

/** The options, with what a string option's value is (for messages). */
const OPTIONS: Readonly<Record<string, { value?: string; repeat?: true }>> = {
  json: {},
  markdown: {},
  "fail-on-widen": {},
  token: { value: "a token file, or - for standard input" },
  jwks: { value: "a JWKS URL or file" },
  identity: { value: "an identity name", repeat: true },
  expect: { value: "allow or deny" },
  out: { value: "a directory" },
  outputs: { value: "a stack output file", repeat: true },
  force: {},
  format: { value: "hcl or json" },
  strict: {},
  ...Object.fromEntries(
    CLOUDS.map((c) => [c, { value: "a file of deployed state", repeat: true }]),
  ),
  "pulumi-state": { value: "a pulumi stack export file", repeat: true },
  help: {},
  version: {},
};

type Options = OptionValues & Partial<Record<Cloud, string[]>>;

interface OptionValues {
  json?: boolean;
  markdown?: boolean;
  "fail-on-widen"?: boolean;
  token?: string;
  jwks?: string;
  identity?: string[];
  expect?: string;
  out?: string;
  outputs?: string[];
  force?: boolean;
  format?: string;
  strict?: boolean;
  "pulumi-state"?: string[];
  help?: boolean;
  version?: boolean;
}

/**
 * Reads the command line: positionals and the options above. Unknown options (with the closest
 * one), a value given to a flag, a missing or empty value and an option given twice are problems
 * in words, never Node's own messages.
 */
function parseCommandLine(
  argv: readonly string[],
): { options: Options; positionals: string[] } | { problem: string } {
  const types = Object.fromEntries(
    Object.entries(OPTIONS).map(([name, o]) => [
      name,
      { type: o.value === undefined ? ("boolean" as const) : ("string" as const) },
    ]),
  );
  // not strict: every problem is reported here, in words, from the tokens
  const { tokens } = parseArgs({
    args: [...argv],
    options: types,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const options: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") positionals.push(t.value);
    if (t.kind !== "option") continue;
    const spec = Object.hasOwn(OPTIONS, t.name) ? OPTIONS[t.name] : undefined;
    if (!spec) {
      const near = Object.keys(OPTIONS).find((o) => editDistance(o, t.name) <= 2);
      return { problem: `unknown option ${t.rawName}${near ? `; did you mean --${near}?` : ""}` };
    }
    if (spec.value === undefined && t.value !== undefined)
      return { problem: `${t.rawName} takes no value, got ${JSON.stringify(t.value)}` };
    if (spec.value !== undefined && !t.value)
      return {
        problem: `${t.rawName} needs ${spec.value}${t.value === "" ? ", got an empty value" : ""}`,
      };
    if (spec.repeat) {
      options[t.name] = [...((options[t.name] as string[] | undefined) ?? []), t.value!];
      continue;
    }
    if (Object.hasOwn(options, t.name))
      return { problem: `${t.rawName} is given twice; give it once` };
    options[t.name] = t.value ?? true;
  }
  return { options: options, positionals };
}

/**
 * Runs the CLI; resolves to the exit code. Writes only to the given streams, with characters that
 * would show text otherwise than it is (C1 controls, bidirectional overrides) escaped; never
 * throws: a failure nothing else caught is a one-line message and exit 2, never a stack trace.
 */
export async function run(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const shown = (write: (s: string) => void) => (s: string) => write(visible(s));
  try {
    return await command(argv, shown(out), shown(err));
  } catch (e) {
    err(
      `trustplane: unexpected failure: ${visible(e instanceof Error ? e.message : String(e))} (a bug: please report it with the command line)`,
    );
    return 2;
  }
}

async function command(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const parsed = parseCommandLine(argv);
  if ("problem" in parsed) return usage(err, parsed.problem);
  const { options: values, positionals } = parsed;
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
  if (command !== "audit" && command !== "diff" && values.markdown)
    return usage(err, "--markdown belongs to audit and diff");
  if (values.markdown && values.json)
    return usage(err, "--markdown and --json are exclusive: give one of them");
  if (command === "import") return importFromCommandLine(values, positionals.slice(1), out, err);
  if (command === "diff") return diffFromCommandLine(values, positionals.slice(1), out, err);
  if (values["fail-on-widen"]) return usage(err, "--fail-on-widen belongs to diff");
  if (!file || extra.length)
    return usage(err, file ? `unexpected argument "${extra[0]}"` : "missing FILE");
  if (
    command !== "explain" &&
    [values.token, values.jwks, values.identity, values.expect].some((v) => v !== undefined)
  ) {
    return usage(err, "--token, --jwks, --identity and --expect belong to explain");
  }
  if (command === "explain" && values.token === undefined)
    return usage(err, "explain needs --token PATH");
  const expect = values.expect;
  if (expect !== undefined && expect !== "allow" && expect !== "deny")
    return usage(err, `--expect is allow or deny, not ${quote(expect)}`);
  if (
    command !== "render" &&
    [values.out, values.outputs, values.force, values.format, values.strict].some(
      (v) => v !== undefined,
    )
  ) {
    return usage(err, "--out, --outputs, --force, --format and --strict belong to render");
  }
  if (command === "render" && values.out === undefined) return usage(err, "render needs --out DIR");
  const exports = [...CLOUDS, "pulumi-state" as const].filter((c) => values[c] !== undefined);
  if (command !== "audit" && exports.length)
    return usage(
      err,
      `${exports.map((c) => `--${c}`).join(", ")} ${exports.length === 1 ? "belongs" : "belong"} to audit`,
    );
  if (command === "audit" && exports.length === 0)
    return usage(
      err,
      `audit needs files of deployed state: ${[...CLOUDS, "pulumi-state"].map((c) => `--${c} FILE`).join(", ")}`,
    );
  const format = values.format ?? "hcl";
  if (format !== "hcl" && format !== "json")
    return usage(err, `--format is hcl or json, not "${format}"`);

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
  if (command === "explain") {
    const unknown = (values.identity ?? []).find((n) => !plan.identities.some((p) => p.name === n));
    if (unknown !== undefined) return usage(err, unknownIdentity(unknown, plan));
    const narrowed = values.identity
      ? { ...plan, identities: plan.identities.filter((p) => values.identity!.includes(p.name)) }
      : plan;
    return explainCommand(ir, narrowed, values.token!, { jwks: values.jwks, expect }, streams);
  }
  if (command === "verify") return verifyCommand(ir, plan, streams);
  if (command === "audit") return auditCommand(ir, plan, file, values, streams);
  if (command === "render") {
    const more = (found: readonly LocatedIssue[]) =>
      report(file, [...located, ...found.map(loaded.locate)], streams);
    const options = {
      out: values.out!,
      outputs: values.outputs ?? [],
      force: !!values.force,
      strict: !!values.strict,
    };
    return renderCommand(ir, plan, { ...options, format }, more, streams);
  }
  if (streams.json) {
    out(JSON.stringify({ ...plan, warnings: located.map(issueJson) }, null, 2));
  } else {
    out(formatPlan(plan));
    if (located.length) err(formatIssueList(file, located));
  }
  return 0;
}

/** The problem of an `--identity` the document does not have, with the closest name it has. */
function unknownIdentity(name: string, plan: Plan): string {
  const names = plan.identities.map((p) => p.name);
  const distance = (n: string) => editDistance(n.toLowerCase(), name.toLowerCase());
  const near = names.filter((n) => distance(n) <= Math.max(2, name.length / 3));
  const closest = near.sort((a, b) => distance(a) - distance(b))[0];
  return `no identity is named ${quote(name)}${closest ? `; did you mean "${closest}"?` : ""}`;
}

function usage(err: (s: string) => void, problem: string): number {
  err(
    `trustplane: ${problem}\n\n${USAGE.split("\n")[0]!}\n(trustplane --help lists the commands and options)`,
  );
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

/** `import`: only cloud files, --out and --json; no intent FILE. */
function importFromCommandLine(
  values: Options,
  extra: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const sources = [...CLOUDS, "pulumi-state" as const];
  const flags = sources.map((c) => `--${c}`).join(", ");
  if (extra.length)
    return usage(err, `unexpected argument "${extra[0]}": import reads the files of ${flags}`);
  const { token, jwks, identity, expect, outputs, force, format, strict } = values;
  if ([token, jwks, identity, expect, outputs, force, format, strict].some((v) => v !== undefined))
    return usage(err, `import takes ${flags}, --out and --json`);
  if (values.out === undefined)
    return usage(err, "import needs --out FILE, where it writes the draft");
  if (!sources.some((c) => values[c] !== undefined))
    return usage(
      err,
      `import needs files of deployed state: ${flags.replaceAll(",", " FILE,")} FILE`,
    );
  return importCommand(values, values.out, { out, err, json: !!values.json });
}

/** `diff`: BASE and HEAD, with --json or --markdown and --fail-on-widen only. */
function diffFromCommandLine(
  values: Options,
  versions: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const [base, head, ...extra] = versions;
  if (!base || !head) return usage(err, "diff needs BASE and HEAD: files, or git's REV:PATH");
  if (extra.length) return usage(err, `unexpected argument "${extra[0]}"`);
  if (base === "-" && head === "-") return usage(err, "only one of BASE and HEAD can be -");
  const { json, markdown, "fail-on-widen": failOnWiden, ...rest } = values;
  if (Object.values(rest).some((v) => v !== undefined))
    return usage(err, "diff takes --json or --markdown, and --fail-on-widen");
  return diffCommand(base, head, { markdown, failOnWiden }, { out, err, json: !!json });
}
