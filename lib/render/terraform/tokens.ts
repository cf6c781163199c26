import type { HandoffAuth } from "../../backends/handoff";
import { CI_TARGETS } from "../../ir/ci";
import type { GrantHandoff, IdentityHandoff } from "../model";

/**
 * How the identity's job gets a grant's credentials to Terraform: a token file where the CI
 * writes one (`<tokenDirectory>/<target>.jwt`), injected by the platform, or from a login step.
 */
export function authOf(h: IdentityHandoff, grant: GrantHandoff): HandoffAuth {
  const ci = CI_TARGETS[h.ci];
  return {
    ...(ci.tokenFiles ? { tokenFile: `${h.tokenDirectory}/${grant.target}.jwt` } : {}),
    injected: ci.injectsCredentials,
  };
}
