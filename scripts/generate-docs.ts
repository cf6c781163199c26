/**
 * Writes the parts of docs/ that come from the code: the issue-code table of docs/cli.md, from
 * `ISSUE_CODES`, between its `<!-- generated: issue codes -->` markers. `npm run generate` runs
 * it; test/docs.test.ts fails while the table is stale.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatted } from "./format";
import { ISSUE_CODES } from "./issue-codes";

export const CLI_DOC = join(__dirname, "..", "docs", "cli.md");
const START = "<!-- generated: issue codes (scripts/issue-codes.ts, npm run generate) -->";
const END = "<!-- end of generated issue codes -->";

/** docs/cli.md with its issue-code table written from `ISSUE_CODES`. */
export async function generatedDocs(): Promise<Record<string, string>> {
  const text = readFileSync(CLI_DOC, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start) throw new Error(`${CLI_DOC} has no issue-code markers`);
  const rows = Object.entries(ISSUE_CODES).map(
    ([code, doc]) => `| \`${code}\` | ${doc.severity} | ${doc.fix.replaceAll("|", "\\|")} |`,
  );
  const table = ["| code | severity | what to do |", "| --- | --- | --- |", ...rows].join("\n");
  const updated = `${text.slice(0, start + START.length)}\n\n${table}\n\n${text.slice(end)}`;
  return {
    [CLI_DOC]: await formatted(CLI_DOC, updated),
  };
}
