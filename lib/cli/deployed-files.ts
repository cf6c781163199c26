import { CLOUDS } from "../backends";
import type { DeployedFile } from "../backends/audits";
import { AUDITS, STATE_AUDITS } from "../backends/audits";
import type { Cloud } from "../backends/cloud";
import type { StateResource } from "../audit/pulumi-state";
import { STATE_EXPECTED, packageOf, readStackExport } from "../audit/pulumi-state";
import { readError, readLimited } from "../intent/file";

/** Exports of large accounts run to tens of megabytes; far beyond that is a mistake. */
const MAX_EXPORT_BYTES = 256 * 1024 * 1024;

/** The files of deployed state a command reads: each cloud's CLI outputs, and stack exports. */
export type DeployedPaths = Partial<Record<Cloud, readonly string[]>> & {
  readonly "pulumi-state"?: readonly string[];
};

/**
 * Reads the files of deployed state per cloud: its CLI outputs as they are, and its resources of
 * the stack exports as the CLI outputs they stand for. Clouds with neither are left out. A file
 * that cannot be read or is not what it should be is a message naming it (and what was
 * expected); never throws.
 */
export function readDeployed(
  paths: DeployedPaths,
): { readonly byCloud: Partial<Record<Cloud, DeployedFile[]>> } | { readonly problems: string[] } {
  const state: StateResource[] = [];
  for (const path of paths["pulumi-state"] ?? []) {
    const parsed = readJson(path);
    if ("why" in parsed)
      return { problems: [`cannot read ${path}: ${parsed.why}; expected ${STATE_EXPECTED}`] };
    const read = readStackExport(path, parsed.json);
    if ("problem" in read) return { problems: [read.problem] };
    state.push(...read.resources);
  }
  const byCloud: Partial<Record<Cloud, DeployedFile[]>> = {};
  for (const cloud of CLOUDS) {
    const resources = state.filter((r) => STATE_AUDITS[cloud].packages.includes(packageOf(r.type)));
    const files = paths[cloud] ?? [];
    if (files.length === 0 && resources.length === 0) continue;
    const read: DeployedFile[] = [];
    for (const path of files) {
      const parsed = readJson(path);
      if ("why" in parsed)
        return {
          problems: [`cannot read ${path}: ${parsed.why}; expected ${AUDITS[cloud].reads}`],
        };
      read.push({ source: path, json: parsed.json });
    }
    const fromState = STATE_AUDITS[cloud].files(resources);
    if ("problems" in fromState) return fromState;
    byCloud[cloud] = [...read, ...fromState.files];
  }
  return { byCloud };
}

/** A file's JSON, or why it cannot be read (missing, too large, not JSON). */
function readJson(path: string): { json: unknown } | { why: string } {
  try {
    return { json: JSON.parse(readLimited(path, MAX_EXPORT_BYTES, "exports").toString("utf8")) };
  } catch (e) {
    return { why: e instanceof SyntaxError ? `not JSON (${e.message})` : readError(e) };
  }
}
