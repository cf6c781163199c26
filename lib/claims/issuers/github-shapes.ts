import type { ValueShape, ValueShapes } from "../shapes";
import { DIGITS, pathOfUrl } from "../shapes";

const SHA: ValueShape = { test: /^[0-9a-f]{40}$/, words: "a 40-character commit SHA" };
const WORKFLOW_REF: ValueShape = {
  test: /^[^/]+\/[^/]+\/.+@.+$/,
  words: "owner/repo/path@ref, such as acme/ci/.github/workflows/deploy.yml@refs/heads/main",
};

/** What GitHub Actions writes into its claims (docs.github.com, "About security hardening with OpenID Connect"). */
export const GITHUB_SHAPES: ValueShapes = new Map<string, ValueShape>([
  [
    "repository",
    {
      test: /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
      words: "owner/name, such as acme/api",
      suggest: pathOfUrl,
    },
  ],
  [
    "repository_owner",
    {
      test: /^[A-Za-z0-9-]+$/,
      words: "an account name of letters, digits and '-', such as acme",
      suggest: (v) => /^([A-Za-z0-9-]+)\/[^/]+$/.exec(pathOfUrl(v) ?? v)?.[1],
    },
  ],
  [
    "ref",
    {
      test: /^refs\/\S+$/,
      prefix: "refs/",
      words: "a full ref name such as refs/heads/main, refs/tags/v1 or refs/pull/7/merge",
      suggest: (v) => (v.startsWith("refs/") ? undefined : `refs/heads/${v}`),
    },
  ],
  ["ref_type", { test: /^(branch|tag)$/, words: "branch or tag" }],
  ["event_name", { test: /^[a-z_]+$/, words: "an event name such as push or pull_request" }],
  [
    "runner_environment",
    { test: /^(github-hosted|self-hosted)$/, words: "github-hosted or self-hosted" },
  ],
  ["sha", SHA],
  ["workflow_sha", SHA],
  ["job_workflow_ref", WORKFLOW_REF],
  ["workflow_ref", WORKFLOW_REF],
  ...[
    "repository_id",
    "repository_owner_id",
    "actor_id",
    "run_id",
    "run_number",
    "run_attempt",
  ].map((claim) => [claim, DIGITS] as const),
]);
