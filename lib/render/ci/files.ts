import type { CiKind } from "../../ir/types";
import type { IdentityHandoff } from "../model";
import type { CiRendering } from "./file";
import { githubWorkflow } from "./github";
import { gitlabJob } from "./gitlab";

/**
 * The file each CI target's job lives in, rendered from a hand-off; none where the platform runs
 * Terraform itself (HCP Terraform: its variables are rendered per workspace) or the team writes
 * the job (`none`). Keyed by the schema's `ci`, with the facts in `lib/ir/ci.ts`.
 */
export const CI_FILES: {
  readonly [K in CiKind]: ((h: IdentityHandoff) => CiRendering) | undefined;
} = {
  github: githubWorkflow,
  gitlab: gitlabJob,
  "hcp-terraform": undefined,
  none: undefined,
};
