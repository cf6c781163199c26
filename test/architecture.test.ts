import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { BACKENDS } from "../lib/backends";
import { ISSUER_PRESETS } from "../lib/claims/issuers";
import { compileDocument } from "../lib/compile";
import { readIntentFile } from "../lib/intent/file";
import { Grant, Handoff, Issuer, Target } from "../lib/intent/schema";
import { CI_TARGETS } from "../lib/ir/ci";
import { CI_FILES } from "../lib/render/ci/files";

/**
 * What ARCHITECTURE.md promises, checked: every registry has an entry for every member of the
 * schema's unions (the type checker says so too; this keeps saying it if a cast slips in), the
 * walk-throughs name files that exist, the docs tables list every kind, cloud and CI, and the
 * rules of `lib/` hold (no import cycles, small files, clouds named only in their modules).
 *
 * It does NOT prove that a new entry is correct: the issuer scenarios, backend tests and goldens
 * do that, and the first of them fails for a preset without a scenario.
 */

const ROOT = join(__dirname, "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const sorted = (values: Iterable<string>) => [...values].sort();

const clouds = Target.options.map((o) => o.shape.cloud.value);
const kinds = Issuer.options.map((o) => o.shape.kind.value);
const cis = Handoff.shape.ci.unwrap().options;

function libFiles(dir = join(ROOT, "lib")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? libFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The rows of a Markdown table whose first cell is `` `name` ``. */
function tableRow(doc: string, name: string): string | undefined {
  return doc.split("\n").find((line) => line.startsWith(`| \`${name}\``));
}

/** The `lib/…` files a file imports (type-only imports and re-exports included). */
function imports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith("."))
    .map((name) => resolve(dirname(file), name))
    .map((base) => [`${base}.ts`, join(base, "index.ts")].find(existsSync))
    .filter((path): path is string => path !== undefined);
}

describe("architecture (ARCHITECTURE.md)", () => {
  describe("registries", () => {
    it("has one backend per cloud of the schema, and a component module for each", () => {
      assert.deepStrictEqual(sorted(Object.keys(BACKENDS)), sorted(clouds));
      for (const cloud of clouds) {
        for (const file of ["backend", "grant", "evaluate", "handoff", "options"]) {
          assert.ok(existsSync(join(ROOT, `lib/backends/${cloud}/${file}.ts`)), `${cloud}/${file}`);
        }
        assert.ok(existsSync(join(ROOT, `lib/components/${cloud}.ts`)), cloud);
        assert.match(
          read("lib/components/prepare.ts"),
          new RegExp(`\\b${cloud}: \\{\\s*module: "\\./${cloud}"`),
        );
      }
    });

    it("gives every grant key to a cloud, and lists each cloud's keys in docs/intent.md", () => {
      const shared = ["target", "audience"];
      const owned = new Set(Object.values(BACKENDS).flatMap((b) => [...b.grantKeys]));
      assert.deepStrictEqual(
        sorted(Object.keys(Grant.shape).filter((k) => !shared.includes(k))),
        sorted(owned),
      );
      const doc = read("docs/intent.md");
      for (const cloud of clouds) {
        const row = tableRow(doc, cloud);
        assert.ok(row, `docs/intent.md has no row for ${cloud}`);
        for (const key of BACKENDS[cloud].grantKeys)
          assert.match(row, new RegExp(`\`${key}\\b`), key);
      }
    });

    it("lets an issuer name its own audience for every cloud", () => {
      const audiences = Issuer.options.map((o) => Object.keys(o.shape.audiences.unwrap().shape));
      for (const keys of audiences) assert.deepStrictEqual(sorted(keys), sorted(clouds));
    });

    it("has one preset per issuer kind of the schema, each in its own file and docs row", () => {
      assert.deepStrictEqual(sorted(Object.keys(ISSUER_PRESETS)), sorted(kinds));
      const doc = read("docs/intent.md");
      for (const kind of kinds) {
        assert.ok(existsSync(join(ROOT, `lib/claims/issuers/${kind}.ts`)), kind);
        assert.ok(tableRow(doc, kind), `docs/intent.md has no row for ${kind}`);
      }
    });

    it("has capabilities, a job file entry and a docs row for every CI target of the schema", () => {
      assert.deepStrictEqual(sorted(Object.keys(CI_TARGETS)), sorted(cis));
      assert.deepStrictEqual(sorted(Object.keys(CI_FILES)), sorted(cis));
      const doc = read("docs/handoff.md");
      for (const ci of cis) {
        assert.ok(tableRow(doc, ci), `docs/handoff.md has no row for ${ci}`);
        const issuer = CI_TARGETS[ci].issuer;
        if (issuer !== undefined) assert.ok(kinds.includes(issuer), `${ci}: ${issuer}`);
        if (CI_FILES[ci]) assert.ok(existsSync(join(ROOT, `lib/render/ci/${ci}.ts`)), ci);
      }
    });

    it("has an example with golden hand-off files for every CI target, and a grant in every cloud", () => {
      const examples = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".yaml"));
      const handedOff = new Set<string>();
      const planned = new Set<string>();
      for (const file of examples) {
        const loaded = readIntentFile(join(ROOT, "examples", file));
        assert.ok("data" in loaded && loaded.data !== undefined, file);
        const { ir, plan } = compileDocument(loaded.data);
        assert.ok(ir && plan, file);
        const goldens = join(ROOT, "test/golden/handoff", file.replace(/\.yaml$/, ""));
        for (const identity of ir.identities) {
          if (!identity.handoff) continue;
          assert.ok(existsSync(join(goldens, identity.name)), `${file}: ${identity.name}`);
          handedOff.add(identity.handoff.ci);
        }
        if (file === "platform.yaml") {
          for (const g of plan.identities.flatMap((i) => i.grants)) planned.add(g.cloud);
        }
      }
      assert.deepStrictEqual(sorted(handedOff), sorted(cis));
      assert.deepStrictEqual(sorted(planned), sorted(clouds));
    });
  });

  it("names only files that exist", () => {
    const named = [...read("ARCHITECTURE.md").matchAll(/`((?:lib|test|docs|examples)\/[^`\s]+)`/g)];
    assert.ok(named.length > 30);
    for (const [, path] of named) {
      const expanded = path!.includes("<cloud>")
        ? clouds.map((c) => path!.replaceAll("<cloud>", c))
        : path!.includes("<kind>")
          ? kinds.map((k) => path!.replaceAll("<kind>", k))
          : path!.includes("<ci>")
            ? cis.filter((c) => CI_FILES[c]).map((c) => path!.replaceAll("<ci>", c))
            : [path!];
      for (const p of expanded) assert.ok(existsSync(join(ROOT, p)), p);
    }
  });

  describe("rules of lib/", () => {
    const files = libFiles();

    it("has no import cycles, type-only imports included", () => {
      const graph = new Map(files.map((f) => [f, imports(f)]));
      const state = new Map<string, "open" | "done">();
      const cycles: string[] = [];
      const visit = (file: string, stack: string[]): void => {
        if (state.get(file) === "done") return;
        if (state.get(file) === "open") {
          cycles.push(
            stack
              .slice(stack.indexOf(file))
              .map((f) => relative(ROOT, f))
              .join(" → "),
          );
          return;
        }
        state.set(file, "open");
        for (const next of graph.get(file) ?? []) visit(next, [...stack, file]);
        state.set(file, "done");
      };
      for (const file of files) visit(file, []);
      assert.deepStrictEqual(cycles, []);
    });

    it("keeps every hand-written file at 400 lines or fewer", () => {
      const long = files
        .map((f) => [relative(ROOT, f), readFileSync(f, "utf8")] as const)
        .filter(([, text]) => !text.startsWith("// Generated by "))
        .map(([f, text]) => [f, text.split("\n").length - 1] as const)
        .filter(([, lines]) => lines > 400);
      assert.deepStrictEqual(long, []);
    });

    it("names a cloud in code only in lib/backends, lib/components and the schema", () => {
      const allowed = (file: string) =>
        /^lib\/(backends|components)\//.test(file) ||
        /^lib\/intent\/(schema|issuer-schema|document)\.ts$/.test(file);
      const found: string[] = [];
      for (const file of files.map((f) => relative(ROOT, f)).filter((f) => !allowed(f))) {
        const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
        const visit = (node: ts.Node): void => {
          const text = ts.isStringLiteralLike(node)
            ? node.text
            : ts.isPropertyAccessExpression(node)
              ? node.name.text
              : undefined;
          if (text !== undefined && (clouds as string[]).includes(text)) {
            const { line } = source.getLineAndCharacterOfPosition(node.getStart());
            found.push(`${file}:${line + 1}: ${node.getText()}`);
          }
          ts.forEachChild(node, visit);
        };
        visit(source);
      }
      assert.deepStrictEqual(found, []);
    });
  });
});
