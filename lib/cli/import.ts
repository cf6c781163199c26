import { renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { Document } from "yaml";
import { CLOUDS } from "../backends";
import { IMPORTS } from "../backends/imports";
import type { ImportDraft, ImportedIdentity } from "../import/draft";
import { draftIntent } from "../import/draft";
import type { Decompiled } from "../import/trust";
import { readError } from "../intent/file";
import type { DeployedPaths } from "./deployed-files";
import { readDeployed } from "./deployed-files";
import type { Streams } from "./streams";

/**
 * `trustplane import`: reads each cloud's files of deployed state (CLI outputs, and its
 * resources of Pulumi stack exports), drafts an intent document
 * from the trust they hold (see `draftIntent`) and writes it to `out` in one step, with comments
 * on what the files did not hold and on every trust the draft does not decide exactly as
 * deployed. Exit 0 when every imported trust is proved exact on the corpus, 1 when one differs
 * or nothing could be imported, 2 for a file it cannot read or cannot write.
 */
export function importCommand(
  files: DeployedPaths,
  out: string,
  { out: print, err, json }: Streams,
): number {
  const read = readDeployed(files);
  if ("problems" in read) {
    for (const problem of read.problems) err(`trustplane: ${problem}`);
    return 2;
  }
  const decompiled: Decompiled[] = [];
  for (const cloud of CLOUDS) {
    const mine = read.byCloud[cloud];
    if (!mine) continue;
    const result = IMPORTS[cloud](mine);
    if ("problems" in result) {
      for (const problem of result.problems) err(`trustplane: ${problem}`);
      return 2;
    }
    decompiled.push(result);
  }
  const draft = draftIntent(decompiled);
  if (draft.imported.length === 0) {
    err(
      `trustplane: nothing to import: the files hold no trust of an OIDC issuer${draft.skipped.length ? " that import can state" : ""}; ${out} was not written`,
    );
    for (const s of draft.skipped) err(`  ${s.cloud} ${s.resource}: ${s.reason}`);
    return 1;
  }
  try {
    writeAtomically(out, draftYaml(draft));
  } catch (e) {
    err(`trustplane: cannot write ${out}: ${readError(e)}`);
    return 2;
  }
  const exact = draft.imported.every((i) => i.divergences.length === 0);
  if (json) print(JSON.stringify(importJson(draft, out), null, 2));
  else print(formatImport(draft, out));
  return exact ? 0 : 1;
}

/** The draft as YAML, with comments where it needs the reader. */
export function draftYaml(draft: ImportDraft): string {
  const doc = new Document(draft.document);
  doc.commentBefore = [
    " Drafted by `trustplane import` from deployed trust. Review it, fill the placeholders,",
    " then run `trustplane verify` and `trustplane audit` against the same files.",
  ].join("\n");
  for (const { path, what } of draft.placeholders) {
    const node = doc.getIn(path, true) as { comment?: string } | undefined;
    if (node) node.comment = ` placeholder: ${what}`;
  }
  draft.document.identities.forEach((identity, i) => {
    const mine = draft.imported.filter((x) => x.identity === identity.name);
    const lines = mine.flatMap((x) => [
      ` from ${x.trust.resource}`,
      ...x.trust.notes.map((n) => `   note: ${n}`),
      ...(x.divergences.length ? [`   ${divergenceLine(x)}`] : []),
    ]);
    const node = doc.getIn(["identities", i], true) as { commentBefore?: string } | undefined;
    if (node) node.commentBefore = lines.join("\n");
  });
  return doc.toString({ lineWidth: 100 });
}

function divergenceLine(x: ImportedIdentity): string {
  const wider = x.divergences.filter((d) => d.kind === "wider").length;
  const narrower = x.divergences.length - wider;
  return `NOT EXACT: of ${x.tokens} tokens, the draft accepts ${wider} the deployed trust refuses (wider) and refuses ${narrower} it accepts (narrower)`;
}

function formatImport(draft: ImportDraft, out: string): string {
  const lines = draft.imported.map((x) => {
    const how = x.divergences.length
      ? divergenceLine(x)
      : `exact on ${x.tokens} tokens${x.form === "sub" ? " (sub kept as deployed)" : ""}`;
    return `${x.trust.cloud.padEnd(6)} ${x.trust.resource}\n    → identity ${x.identity}: ${how}`;
  });
  const skipped = draft.skipped.map(
    (s) => `${s.cloud.padEnd(6)} ${s.resource}\n    not imported: ${s.reason}`,
  );
  const placeholders = draft.placeholders.map((p) => `  ${p.path.join(".")}: ${p.what}`);
  return [
    ...lines,
    ...skipped,
    "",
    `wrote ${out}: ${draft.document.identities.length} identities from ${draft.imported.length} deployed trusts${draft.skipped.length ? `, ${draft.skipped.length} not imported` : ""}`,
    ...(placeholders.length ? ["placeholders to fill:", ...placeholders] : []),
    "next: trustplane verify and audit the draft; deploy it once with the TrustPlane option adopt: { existing: true } (docs/pulumi.md)",
  ].join("\n");
}

function importJson(draft: ImportDraft, out: string) {
  return {
    ok: draft.imported.every((i) => i.divergences.length === 0),
    out,
    imported: draft.imported.map((x) => ({
      cloud: x.trust.cloud,
      resource: x.trust.resource,
      identity: x.identity,
      form: x.form,
      tokens: x.tokens,
      divergences: x.divergences,
      notes: x.trust.notes,
    })),
    skipped: draft.skipped,
    placeholders: draft.placeholders.map((p) => ({ path: p.path.join("."), what: p.what })),
  };
}

/** Writes through a file next to `path`, renamed into place: a reader never sees half a draft. */
function writeAtomically(path: string, text: string): void {
  const staging = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(staging, text, { flag: "wx" });
    renameSync(staging, path);
  } finally {
    rmSync(staging, { force: true });
  }
}
