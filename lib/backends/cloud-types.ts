import type { GrantPlan } from "../plan/types";
import type { ArtefactsByCloud } from "./artefacts";
import type { Cloud } from "./cloud";

export type { TargetOf } from "./cloud";

/** A grant's plan in one cloud. */
export type GrantPlanOf<C extends Cloud> = Extract<GrantPlan, { cloud: C }>;
/** What one cloud enforces for one grant. */
export type ArtefactsOf<C extends Cloud> = ArtefactsByCloud[C];
