import type { TargetConfig } from "../intent/document";
import type { TargetIR } from "../ir/types";

/** The clouds trustplane compiles to: the `cloud` of a target, as the schema spells them. */
export type Cloud = TargetConfig["cloud"];

/** A target of one cloud. */
export type TargetOf<C extends Cloud> = Extract<TargetIR, { cloud: C }>;
