import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatedDocs } from "../scripts/generate-docs";
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
describe("docs/cli.md: the issue codes", () => {
  it("has the table npm run generate writes from scripts/issue-codes.ts", async () => {
    for (const [file, text] of Object.entries(await generatedDocs())) {
      assert.equal(readFileSync(file, "utf8"), text, `${file} is stale: run npm run generate`);
    }
  });
});

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

/** A JSON shape as docs/cli.md writes it: `{"key", "opt"?, "list": [{…}], "free": {…}}`. */
type Shape =
  | { readonly kind: "object"; readonly members: ReadonlyMap<string, Member> }
  | { readonly kind: "array"; readonly item?: Shape }
  | { readonly kind: "opaque" };
interface Member {
  readonly optional: boolean;
  readonly value: Shape;
}

/** Reads the shape of a `--json` line; `bool`, `…`, `...` and `{…}` say nothing about keys. */
function parseShape(text: string): Shape {
  const tokens = text.match(/"[^"]*"|[{}[\]:,?]|[^\s{}[\]:,?"]+/g) ?? [];
  let at = 0;
  const value = (): Shape => {
    const t = tokens[at];
    if (t === "{" && tokens[at + 1] !== "…" && tokens[at + 1] !== "...") return object();
    if (t === "[") {
      at++;
      const item = tokens[at] === "]" || tokens[at] === "..." ? undefined : value();
      while (tokens[at] !== "]") at++;
      at++;
      return { kind: "array", item };
    }
    // a word, or {…}: skip to the end of the value
    let depth = 0;
    do {
      if (tokens[at] === "{" || tokens[at] === "[") depth++;
      if (tokens[at] === "}" || tokens[at] === "]") depth--;
      at++;
    } while (depth > 0);
    return { kind: "opaque" };
  };
  const object = (): Shape => {
    at++; // {
    const members = new Map<string, Member>();
    while (tokens[at] !== "}") {
      const key = JSON.parse(tokens[at++]!) as string;
      const optional = tokens[at] === "?" && ++at > 0;
      const shape = tokens[at] === ":" ? (at++, value()) : { kind: "opaque" as const };
      members.set(key, { optional, value: shape });
      if (tokens[at] === ",") at++;
    }
    at++; // }
    return { kind: "object", members };
  };
  return value();
}

/** Where the actual JSON differs from the documented shape. */
function differences(shape: Shape, actual: unknown, at: string): string[] {
  if (shape.kind === "opaque") return [];
  if (shape.kind === "array") {
    if (!Array.isArray(actual)) return [`${at} is not an array`];
    return shape.item ? actual.flatMap((a, i) => differences(shape.item!, a, `${at}[${i}]`)) : [];
  }
  if (typeof actual !== "object" || actual === null) return [`${at} is not an object`];
  const out: string[] = [];
  for (const key of Object.keys(actual))
    if (!shape.members.has(key)) out.push(`${at}.${key} is not documented`);
  for (const [key, member] of shape.members) {
    if (!(key in actual)) {
      if (!member.optional) out.push(`${at}.${key} is documented but missing`);
      continue;
    }
    out.push(
      ...differences(member.value, (actual as Record<string, unknown>)[key], `${at}.${key}`),
    );
  }
  return out;
}

/**
 * The `--json` shapes docs/cli.md documents, against what each command prints on the bundled
 * example: every key printed is documented and every documented key (not marked `?`) is printed.
 * Does NOT check the shapes of values it writes `{…}` (artefacts, tokens) nor empty lists' items.
 */
describe("docs/cli.md: the --json shapes", () => {
  const doc = readFileSync(join(ROOT, "docs", "cli.md"), "utf8");
  const out = mkdtempSync(join(tmpdir(), "trustplane-shapes-"));
  after(() => rmSync(out, { recursive: true, force: true }));
  const runs: Record<string, string[]> = {
    check: ["check", "examples/platform.yaml"],
    plan: ["plan", "examples/platform.yaml"],
    explain: [
      "explain",
      "examples/platform.yaml",
      "--token",
      "examples/tokens/feature-branch-push.json",
    ],
    verify: ["verify", "examples/platform.yaml"],
    render: ["render", "examples/platform.yaml", "--out", join(out, "handoff")],
    // two unrelated examples: identities gained and lost, permissions, resources
    diff: ["diff", "examples/platform.yaml", "examples/gitlab.yaml"],
  };
  for (const [command, argv] of Object.entries(runs)) {
    it(`${command} --json prints the documented keys`, async () => {
      const line = new RegExp(`- \`${command} --json\`: \`([^\`]*)\``).exec(doc);
      assert.ok(line, `docs/cli.md documents ${command} --json`);
      const result = await cli(...argv, "--json");
      const actual = JSON.parse(result.out) as unknown;
      assert.deepEqual(differences(parseShape(line[1]!.replace(/\n/g, " ")), actual, command), []);
    });
  }
});
