import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { generatedFiles, SCHEMA_FILE } from "../../scripts/generate-schema";
import type { SchemaNode } from "../../scripts/json-schema-to-ts";
import { check, formatPath } from "../../lib";

const ROOT = join(__dirname, "..", "..");
const EXAMPLES = join(ROOT, "examples");
const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as SchemaNode;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));

/**
 * The JSON Schema and TypeScript declarations generated from the zod schema. Proves they are
 * current, describe every key and accept what `check` accepts on the examples; does NOT prove
 * that the JSON Schema refuses all `check` refuses (refinements and cross-references are not
 * expressible in it: `check` stays the judge).
 */
describe("intent.schema.json and lib/intent/document.ts", () => {
  it("are what npm run generate writes from lib/intent/schema.ts", async () => {
    for (const [file, text] of Object.entries(await generatedFiles())) {
      assert.equal(readFileSync(file, "utf8"), text, `${file} is stale: run npm run generate`);
    }
  });

  it("describe every key", () => {
    const undescribed: string[] = [];
    const walk = (node: SchemaNode, at: string) => {
      for (const [key, property] of Object.entries(node.properties ?? {})) {
        const target = property.$ref ? schema.$defs?.[property.$ref.split("/").pop()!] : property;
        if (!property.description && !target?.description) undescribed.push(`${at}.${key}`);
        walk(property, `${at}.${key}`);
      }
      for (const child of [
        ...(node.oneOf ?? []),
        ...(node.anyOf ?? []),
        ...(node.items ? [node.items] : []),
        ...(typeof node.additionalProperties === "object" ? [node.additionalProperties] : []),
      ]) {
        walk(child, at);
      }
    };
    walk(schema, "document");
    for (const [name, def] of Object.entries(schema.$defs ?? {})) walk(def, name);
    assert.deepEqual(undescribed, []);
    const described = JSON.stringify(schema).match(/"description"/g)!.length;
    assert.ok(described > 90, `only ${described} descriptions`);
  });

  for (const file of examples) {
    it(`accepts examples/${file}, which names it for editors`, () => {
      const text = readFileSync(join(EXAMPLES, file), "utf8");
      assert.ok(text.startsWith("# yaml-language-server: $schema=../intent.schema.json\n"));
      const data: unknown = parse(text);
      assert.equal(validate(data), true, JSON.stringify(validate.errors, null, 2));
      assert.deepEqual(errorsOf(data), []);
    });
  }

  it("refuses a misspelt key where it is written, as check does", () => {
    const data = parse(readFileSync(join(EXAMPLES, "platform.yaml"), "utf8")) as {
      issuers: Record<string, Record<string, unknown>>;
    };
    data.issuers["github"]!["subjectFromat"] = "immutable";
    assert.equal(validate(data), false);
    assert.ok(
      validate.errors!.some(
        (e) =>
          e.keyword === "additionalProperties" &&
          e.instancePath === "/issuers/github" &&
          (e.params as { additionalProperty: string }).additionalProperty === "subjectFromat",
      ),
      JSON.stringify(validate.errors),
    );
    assert.deepEqual(errorsOf(data), ["unknown_key issuers.github.subjectFromat"]);
  });

  it("refuses a wrong value where it is written: an account ID that is a number", () => {
    const data = parse(readFileSync(join(EXAMPLES, "platform.yaml"), "utf8")) as {
      targets: Record<string, Record<string, unknown>>;
    };
    data.targets["aws-prod"]!["accountId"] = 111111111111;
    assert.equal(validate(data), false);
    assert.ok(validate.errors!.some((e) => e.instancePath === "/targets/aws-prod/accountId"));
  });
});

function errorsOf(data: unknown): string[] {
  return check(data)
    .filter((i) => i.severity === "error")
    .map((i) => `${i.code} ${formatPath(i.path)}`);
}
