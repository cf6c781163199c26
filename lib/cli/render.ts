import { join } from "node:path";
import { formatPath } from "../errors";
import { MAX_INTENT_BYTES, readError, readLimited } from "../intent/file";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import { StackValues } from "../render/outputs";
import { renderCompiled } from "../render/render";
import type { TerraformFormat } from "../render/render";
import type { Placeholder } from "../render/model";
import type { LocatedIssue } from "../intent/load";
import { commitTree } from "./commit";
import type { Streams } from "./streams";

/** `render`'s command line: where, with which stack outputs, replacing what, in which format. */
export interface RenderOptions {
  readonly out: string;
  readonly outputs: readonly string[];
  readonly force: boolean;
  readonly format: TerraformFormat;
  /** Refuse to write while a placeholder remains: for CI that checks the hand-off is complete. */
  readonly strict: boolean;
}

/**
 * `trustplane render`: writes every identity's hand-off under `out`, all or nothing (see
 * `commitTree`: files of earlier renders are replaced, those of removed identities removed, any
 * other file in the way refused unless `force`). Values no outputs file reports are written as
 * marked placeholders and listed on stderr.
 */
export function renderCommand(
  ir: DocumentIR,
  plan: Plan,
  options: RenderOptions,
  report: (issues: readonly LocatedIssue[]) => void,
  streams: Streams,
): number {
  const { out, outputs, force, format, strict } = options;
  const stacks = new StackValues();
  for (const path of outputs) {
    let json: unknown;
    try {
      json = JSON.parse(readLimited(path, MAX_INTENT_BYTES, "stack outputs").toString("utf8"));
    } catch (e) {
      streams.err(`trustplane: cannot read the outputs ${path}: ${readError(e)}`);
      return 2;
    }
    const problems = stacks.add(json, path);
    if (problems.length) {
      for (const p of problems) streams.err(`trustplane: ${p.message}`);
      return 2;
    }
  }
  const { files, placeholders, issues } = renderCompiled(ir, plan, stacks, format);
  if (!files) {
    report(issues);
    return 1;
  }
  if (strict && placeholders.length) {
    for (const p of placeholders)
      streams.err(
        `trustplane: ${p.output} of ${p.identity} in ${p.target} is known after pulumi up`,
      );
    streams.err(
      `trustplane: --strict: ${placeholders.length} value${placeholders.length === 1 ? " is" : "s are"} known only after pulumi up, so nothing was written; pass each stack's outputs with --outputs`,
    );
    return 1;
  }
  const committed = commitTree(out, files, force);
  if ("problem" in committed) {
    streams.err(
      [`trustplane: ${committed.problem}`, ...(committed.paths ?? []).map((p) => `  ${p}`)].join(
        "\n",
      ),
    );
    return 2;
  }
  if (streams.json) {
    const written = files.map((f) => ({
      path: join(out, f.path),
      bytes: Buffer.byteLength(f.text),
    }));
    streams.out(JSON.stringify({ files: written, placeholders }, null, 2));
  } else {
    streams.out(
      files.length
        ? files.map((f) => join(out, f.path)).join("\n")
        : "no identity has a handoff section: nothing to render",
    );
  }
  for (const p of placeholders) streams.err(`trustplane: ${placeholderLine(p)}`);
  for (const w of issues)
    streams.err(`trustplane: ${w.code}: ${w.message} (at ${formatPath(w.path)})`);
  return 0;
}

function placeholderLine(p: Placeholder): string {
  return `placeholder: ${p.output} of ${p.identity} in ${p.target} is known after pulumi up; written as ${JSON.stringify(p.text)}; render again with --outputs <pulumi stack output --json>`;
}
