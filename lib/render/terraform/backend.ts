import { backendOf } from "../../backends";
import type { HclBody } from "../hcl";
import type { BackendHandoff, IdentityHandoff } from "../model";
import { authOf } from "./tokens";

/**
 * `backend.tf`: the state backend in the cloud of the backend's grant, authenticated as that
 * grant's identity — through the CI's login step (GitHub), or a token file (GitLab, none).
 */
export function backendBody(h: IdentityHandoff, backend: BackendHandoff): HclBody {
  const { grant, config, kind } = backend;
  const settings = backendOf(grant.cloud).handoff.backendSettings(grant, config, authOf(h, grant));
  return [{ block: "terraform", body: [{ block: "backend", labels: [kind], body: settings }] }];
}
