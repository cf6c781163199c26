// Loaded by mocha before every test file (package.json "mocha.require").
// Deep assertion diffs on artefacts are long; show them whole.
import { AssertionError } from "node:assert";

(AssertionError.prototype as { truncate?: boolean }).truncate = false;
