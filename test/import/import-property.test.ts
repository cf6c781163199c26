import { strict as assert } from "node:assert";
import fc from "fast-check";
import { CLOUDS } from "../../lib/backends";
import { IMPORTS } from "../../lib/backends/imports";
import { compileDocument } from "../../lib/compile";
import { draftIntent } from "../../lib/import/draft";
import type { Decompiled } from "../../lib/import/trust";
import { cliExports } from "../support/exports";
import { compiled, documents } from "../support/random-documents";

/**
 * Random intents → what `pulumi up` deployed, as the clouds' CLIs print it → `import`: every
 * deployed trust is drafted (none skipped), every draft decides its corpus exactly as the
 * deployed trust does, and the draft compiles. Does NOT prove the draft exact on tokens outside
 * the corpus, nor that drafts of trust trustplane did not write are.
 */
describe("import on random intents", () => {
  it("drafts every deployed trust exactly", function () {
    this.timeout(300_000);
    fc.assert(
      fc.property(documents, (generated) => {
        const built = compiled(generated);
        if (!built) return;
        const exports = cliExports(built.plan);
        const decompiled: Decompiled[] = CLOUDS.flatMap((cloud) => {
          if (!exports[cloud].length) return [];
          const result = IMPORTS[cloud](exports[cloud]);
          assert.ok(!("problems" in result), JSON.stringify(result));
          return [result];
        });
        const draft = draftIntent(decompiled);
        assert.deepEqual(draft.skipped, []);
        const grants = built.plan.identities.flatMap((i) => i.grants).length;
        assert.equal(draft.imported.length, grants);
        for (const x of draft.imported)
          assert.deepEqual(
            x.divergences.slice(0, 2),
            [],
            `${x.trust.resource}: ${JSON.stringify(x.trust.subjects)}`,
          );
        const again = compileDocument(draft.document);
        assert.ok(again.plan, JSON.stringify(again.issues.slice(0, 3)));
      }),
      { numRuns: 40 },
    );
  });
});
