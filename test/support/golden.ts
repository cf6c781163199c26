import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Compares text with `test/golden/<file>`. Rewrite the golden files on purpose with
 * `UPDATE_GOLDEN=1 npm run mocha`, then review the diff.
 */
export function golden(file: string, actual: string): void {
  const path = join(__dirname, "..", "golden", file);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  assert.ok(
    existsSync(path),
    `${file} has no golden file; run UPDATE_GOLDEN=1 npm run mocha and review it`,
  );
  assert.equal(
    actual,
    readFileSync(path, "utf8"),
    `${file} changed; rerun with UPDATE_GOLDEN=1 if intended`,
  );
}
