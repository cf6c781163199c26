import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

/**
 * Runs a CommonJS script under tsx in a fresh Node process from the project root; its last line
 * of output, as JSON. For what must not share this process: blocked modules, or a Pulumi runtime
 * left with registrations that will never finish (a failed input; with `anyExit`, since Pulumi's
 * exit handler then reports the pending promises and sets a failing exit code).
 */
export function runScript(script: string, { anyExit = false } = {}): unknown {
  const child = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
  });
  if (!anyExit) assert.equal(child.status, 0, `the script failed:\n${child.stderr}`);
  const last = child.stdout.trim().split("\n").pop()!;
  return JSON.parse(last) as unknown;
}
