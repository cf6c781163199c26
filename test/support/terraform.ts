import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import type { HclBody } from "../../lib/render/hcl";

// Terraform tooling for the tests: hcl2json (WASM; cannot share a process with @cdktf/hcl2json)
// and the terraform binary, which may be absent: callers skip, saying why.

export type Parse = (filename: string, text: string) => Promise<Record<string, unknown>>;

// loaded with createRequire: its typings pull in the DOM lib, which the project does not use
export const hcl2json = (): Parse =>
  (createRequire(__filename)("@cdktn/hcl2json") as { parse: Parse }).parse;

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  }); // "__proto__" is a key like any other
}

const own = (object: unknown, key: string): unknown =>
  Object.hasOwn(object as object, key) ? (object as Record<string, unknown>)[key] : undefined;

const HCL_SHORT_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  r: "\r",
  t: "\t",
  '"': '"',
  "\\": "\\",
};

/**
 * A string `terraformJson` wrote as `${"…"}` (it has a lone carriage return) in the plain
 * Terraform JSON form hcl2json gives: backslash escapes decoded, `$${` and `%%{` kept.
 */
function unwrapQuoted(text: string): string {
  const quoted = /^\$\{"(.*)"\}$/s.exec(text)?.[1];
  if (quoted === undefined) return text;
  return quoted.replace(
    /\\(?:u([0-9a-f]{4})|U([0-9a-f]{8})|(.))/gs,
    (_, u?: string, big?: string, c?: string) =>
      (u ?? big) ? String.fromCodePoint(parseInt((u ?? big)!, 16)) : HCL_SHORT_ESCAPES[c!]!,
  );
}

/** `map` applied to every string and object key in `value`. */
function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map));
  if (typeof value !== "object" || value === null) return value;
  const mapped: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) define(mapped, map(key), mapStrings(v, map));
  return mapped;
}

/** Every string and key in NFC, as Terraform holds them. */
export const nfc = (value: unknown): unknown => mapStrings(value, (text) => text.normalize("NFC"));

/**
 * `terraformJson(body)` in hcl2json's shape. hcl2json drops comments (our `"//"`), gives every
 * block's body in an array, even a single one (we give one body as an object), and gives strings
 * with a lone carriage return plainly (we write them `${"…"}`); the rest of its output already
 * matches Terraform JSON, `$${`/`%%{` escapes and `"${expr}"` included.
 */
export function asHcl2json(body: HclBody, json: Record<string, unknown>): Record<string, unknown> {
  const blockTypes = new Set(body.flatMap((item) => ("block" in item ? [item.block] : [])));
  const shaped: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(json)) {
    if (key !== "//" && !blockTypes.has(key))
      define(shaped, unwrapQuoted(key), mapStrings(v, unwrapQuoted));
  }
  const seen = new Map<string, number>();
  for (const item of body) {
    if (!("block" in item)) continue;
    const path = [item.block, ...(item.labels ?? [])];
    const index = seen.get(JSON.stringify(path)) ?? 0;
    seen.set(JSON.stringify(path), index + 1);
    const leaf = path.reduce<unknown>((node, key) => own(node, key), json);
    const bodyJson = (Array.isArray(leaf) ? leaf[index] : leaf) as Record<string, unknown>;
    let node = shaped;
    for (const key of path.slice(0, -1)) {
      if (own(node, key) === undefined) define(node, key, {});
      node = own(node, key) as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    if (own(node, last) === undefined) define(node, last, []);
    (own(node, last) as unknown[]).push(asHcl2json(item.body, bodyJson));
  }
  return shaped;
}

export const TF_ENV = {
  ...process.env,
  TF_CLI_CONFIG_FILE: devNull,
  CHECKPOINT_DISABLE: "1",
  TF_IN_AUTOMATION: "1",
  TF_INPUT: "0",
};
export const hasTerraform = () => spawnSync("terraform", ["version"], { env: TF_ENV }).status === 0;

/** A mocha `before` hook that skips the suite, saying which checks, when terraform is absent. */
export function requireTerraform(checks: string): (this: Mocha.Context) => void {
  return function () {
    if (hasTerraform()) return;
    process.stderr.write(`      terraform is not on PATH: skipping ${checks}\n`);
    this.skip();
  };
}

/** Runs `fn` in a new temporary folder, removed afterwards. */
export function inTempDir<T>(prefix: string, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs terraform offline, in `cwd`, with `input` on stdin and `env` added to the environment. */
export function terraform(
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: Record<string, string> } = {},
) {
  const run = spawnSync("terraform", ["-chdir=" + (options.cwd ?? "."), ...args], {
    env: { ...TF_ENV, ...options.env },
    input: options.input,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
