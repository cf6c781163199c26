import { backendOf } from "../../backends";
import type { HclBody } from "../hcl";
import type { IdentityHandoff } from "../model";
import { authOf } from "./tokens";

/**
 * `providers.tf`: one provider per cloud the hand-off uses, authenticated as the identity's
 * grant there: by ambient credentials from the CI's login steps (GitHub), HCP Terraform's
 * dynamic credentials (`hcp-terraform`), or the token files the job writes (GitLab, none).
 */
export function providersBody(h: IdentityHandoff): HclBody {
  return h.grants.map((g) => backendOf(g.cloud).handoff.provider(g, authOf(h, g)));
}
