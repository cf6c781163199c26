/**
 * `npm run generate`: writes every file generated from the code (the JSON Schema, the public
 * types, the issue-code table of docs/cli.md), formatted as the repository formats them.
 */
import { writeFileSync } from "node:fs";
import { generatedDocs } from "./generate-docs";
import { generatedFiles } from "./generate-schema";

if (require.main === module) {
  void Promise.all([generatedFiles(), generatedDocs()]).then((all) => {
    for (const files of all)
      for (const [file, text] of Object.entries(files)) writeFileSync(file, text);
  });
}
