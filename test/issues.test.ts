import { strict as assert } from "node:assert";
import { analyse } from "../lib/compile";
import { formatPath } from "../lib/errors";
import { loadText } from "../lib/intent/load";
import { ISSUE_CODES } from "../scripts/issue-codes";
import { CASES } from "./support/issue-cases";

describe("issue codes", () => {
  type Code = keyof typeof CASES;
  for (const [code, c] of Object.entries(CASES) as [Code, (typeof CASES)[Code]][]) {
    it(`reports ${code} at ${c.path || "the document"}`, () => {
      const issues = c.text !== undefined ? loadText(c.text).issues : analyse(c.document).issues;
      const found = issues.filter((i) => i.code === code);
      assert.deepStrictEqual(
        found.map((i) => formatPath(i.path)),
        [c.path],
        `all issues: ${JSON.stringify(issues.map((i) => [i.code, formatPath(i.path)]))}`,
      );
      assert.equal(found[0]!.message, c.message);
      assert.equal(found[0]!.severity, ISSUE_CODES[code].severity, "docs/cli.md's severity");
    });
  }
});
