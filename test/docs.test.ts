import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./support/cli";

const ROOT = join(__dirname, "..");
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)];

/** A shown command: the page's block that starts with `$ npx trustplane …`, and what it prints. */
interface Shown {
  readonly page: string;
  readonly argv: string[];
  readonly lines: string[];
}

function shownCommands(page: string): Shown[] {
  const text = readFileSync(join(ROOT, page), "utf8");
  return [...text.matchAll(/^```[a-z]*\n\$ (?:npx )?trustplane ([^\n]*)\n([\s\S]*?)^```$/gm)].map(
    (m) => ({ page, argv: m[1]!.split(" "), lines: m[2]!.split("\n") }),
  );
}

const collapse = (s: string) => s.replace(/\s+/g, " ").trim();

/**
 * The CLI sessions README.md and docs/ show, run for real: every line a page shows (wrapped
 * lines as fragments, "…" as a gap, "..." as omitted lines) appears in what the command prints,
 * in that order. Proves the shown output is current; does NOT prove it shows all of it.
 */
describe("README.md and docs/: the CLI output they show", () => {
  const shown = PAGES.flatMap(shownCommands);

  it("finds the sessions to check", () => {
    assert.ok(shown.length >= 5, `only ${shown.length}`);
  });

  for (const { page, argv, lines } of shown) {
    it(`${page}: trustplane ${argv.join(" ")}`, async () => {
      const out = argv.includes("--out") ? mkdtempSync(join(tmpdir(), "trustplane-docs-")) : "";
      try {
        const args = argv.map((a, i) => (argv[i - 1] === "--out" ? join(out, a) : a));
        const result = await cli(...args);
        const printed = collapse(
          out
            ? `${result.out}\n${result.err}`.replaceAll(`${out}/`, "")
            : `${result.out}\n${result.err}`,
        );
        let at = 0;
        for (const line of lines) {
          for (const fragment of line
            .split(/…|\.\.\./)
            .map(collapse)
            .filter(Boolean)) {
            const found = printed.indexOf(fragment, at);
            assert.ok(
              found >= 0,
              `${page} shows "${fragment}", which is not printed after ${at}:\n${printed}`,
            );
            at = found + fragment.length;
          }
        }
      } finally {
        if (out) rmSync(out, { recursive: true, force: true });
      }
    });
  }
});
