import type { TargetConfig } from "../intent/schema";

/** The clouds trustplane compiles to: the `cloud` of a target, as the schema spells them. */
export type Cloud = TargetConfig["cloud"];
