/**
 * `npm run test:peers`: the Pulumi components against the lowest version of each range in
 * package.json's `peerDependencies`. Installs those versions from the registry into a temporary
 * folder, links this repository's other modules next to them (as test/package.test.ts links them
 * into its programs), copies `lib/`, the examples and the component tests there, then
 * type-checks it all (tsc) and runs those tests (mocha): the tests `npm test` runs against the
 * locked versions. Proves that the lowest declared versions compile with the components and
 * register what the plan lists, in order, under mocks; does NOT prove the versions in between,
 * nor what a real `pulumi up` does with them. `--keep` leaves the folder for a look.
 */
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(__dirname, "..");
const MODULES = join(ROOT, "node_modules");

/** The component tests run against the lowest versions: registrations, order, provider checks. */
const TESTS = [
  "test/components/trustplane.test.ts",
  "test/components/order.test.ts",
  "test/components/provider-checks.test.ts",
];
/** What those tests read besides themselves. */
const COPIED = [
  "lib",
  "examples",
  "tsconfig.json",
  "test/support/setup.ts",
  "test/support/mocks.ts",
  "test/support/mock-state.ts",
  "test/support/documents.ts",
  "test/support/child.ts",
  ...TESTS,
];

/**
 * The lowest version a peer range admits. Only ranges of caret alternatives
 * (`^6.65.0 || ^7.0.0`) are read: anything else throws, so a new range form is noticed here.
 */
export function lowest(range: string): string {
  const versions = range.split("||").map((part) => {
    const found = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    if (!found) throw new Error(`peer range ${JSON.stringify(range)}: expected ^x.y.z || …`);
    return found.slice(1).map(Number);
  });
  const [min] = versions.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!);
  return min!.join(".");
}

const say = (text: string) => process.stdout.write(`${text}\n`);
const complain = (text: string) => process.stderr.write(`${text}\n`);

/** A command's run: whether it passed, what it printed, and how long it took. */
interface Ran {
  readonly ok: boolean;
  readonly output: string;
  readonly seconds: number;
}

/** Runs a command in `cwd`, collecting what it prints (so that two at once do not interleave). */
function run(command: string, args: string[], cwd: string): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) =>
      resolve({ ok: code === 0, output, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

/** Links each module of this repository that `dir` has not installed itself. */
function linkMissing(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (entry.startsWith(".")) continue;
    if (entry.startsWith("@")) linkMissing(join(from, entry), join(to, entry));
    else if (!existsSync(join(to, entry))) symlinkSync(join(from, entry), join(to, entry));
  }
}

async function main(keep: boolean): Promise<boolean> {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    peerDependencies: Record<string, string>;
    mocha: object;
  };
  const versions = Object.fromEntries(
    Object.entries(pkg.peerDependencies).map(([name, range]) => [name, lowest(range)]),
  );
  const listed = Object.entries(versions).map(([name, version]) => `${name}@${version}`);
  say(`installing the lowest peer versions: ${listed.join(", ")}`);
  const dir = mkdtempSync(join(tmpdir(), "trustplane-peers-"));
  try {
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "trustplane-peers", private: true, dependencies: versions }),
    );
    // the registry's cache revalidation is not needed for exact versions
    const npm = ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"];
    const installed = await run("npm", [...npm, "--no-package-lock"], dir);
    report("npm install", installed);
    if (!installed.ok) return false;
    for (const [name, version] of Object.entries(versions)) {
      const found = JSON.parse(
        readFileSync(join(dir, "node_modules", name, "package.json"), "utf8"),
      ) as { version: string };
      // some releases wrote their version with a leading "v" (azure-native 2.x)
      if (found.version.replace(/^v/, "") !== version) {
        complain(`${name}: installed ${found.version}, not ${version}`);
        return false;
      }
    }
    linkMissing(MODULES, join(dir, "node_modules"));
    for (const path of COPIED) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      cpSync(join(ROOT, path), join(dir, path), { recursive: true });
    }
    writeFileSync(join(dir, ".mocharc.json"), JSON.stringify(pkg.mocha));
    // one process each, at once: the type-check and the tests need one core each
    const [typecheck, tests] = await Promise.all([
      run(
        process.execPath,
        [join(MODULES, "typescript", "bin", "tsc"), "--noEmit", "-p", "."],
        dir,
      ),
      run(process.execPath, [join(MODULES, "mocha", "bin", "mocha.js"), ...TESTS], dir),
    ]);
    report("tsc --noEmit", typecheck);
    report("mocha", tests);
    return typecheck.ok && tests.ok;
  } finally {
    if (keep) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** A step's outcome and time; its output when it failed. */
function report(step: string, ran: Ran): void {
  if (!ran.ok) complain(ran.output);
  say(`${step}: ${ran.ok ? "passed" : "FAILED"} in ${ran.seconds.toFixed(1)} s`);
}

if (require.main === module) {
  void main(process.argv.includes("--keep")).then((ok) => {
    process.exitCode = ok ? 0 : 1;
  });
}
