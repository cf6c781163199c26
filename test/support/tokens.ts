import fc from "fast-check";

/**
 * Independent models of how issuers fill their tokens, written from the vendors' docs and not
 * from lib/: they are the oracle that trustplane's sub projection is checked against. Value
 * pools include the adversarial neighbours (prefix-sharing names, case changes, ':' and '%3A'
 * in values, separators smuggled into free-text claims).
 */
export type Claims = Readonly<Record<string, string | undefined>>;

export interface TokenModel {
  readonly tokens: fc.Arbitrary<Claims>;
  /** The claim values selectors draw from: a superset of what tokens hold, plus misses. */
  readonly values: Readonly<Record<string, readonly string[]>>;
}

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

/**
 * GitHub Actions: sub = repo part, then environment, pull_request or ref; with a custom template
 * (`include_claim_keys`) the listed `key:value` pairs, `repo` and `context` standing for those
 * two parts. ':' inside values is written as %3A.
 */
export function githubSub(c: Claims, immutable = false, keys = ["repo", "context"]): string {
  const enc = (v: string) => v.replaceAll(":", "%3A");
  const repo = immutable
    ? `repo:${c.repository_owner}@${c.repository_owner_id}/${c.repository!.split("/")[1]}@${c.repository_id}`
    : `repo:${c.repository}`;
  const context =
    c.environment !== undefined
      ? `environment:${enc(c.environment)}`
      : c.event_name === "pull_request"
        ? "pull_request"
        : `ref:${enc(c.ref!)}`;
  return keys
    .map((k) => (k === "repo" ? repo : k === "context" ? context : `${k}:${enc(c[k]!)}`))
    .join(":");
}

const OWNERS = ["acme", "acme-evil", "ACME"];
const NAMES = ["api", "api-evil", "web"];
const ENVS = ["production", "prod:eu", "prod%3Aeu", "staging", "Production"];
const BRANCHES = ["refs/heads/main", "refs/heads/main-x", "refs/heads/release/1"];
const TAGS = ["refs/tags/v1", "refs/tags/v1.2", "refs/tags/x"];

const WORKFLOWS = [
  "acme/wf/.github/workflows/deploy.yml@refs/heads/main",
  "acme/wf/.github/workflows/deploy.yml@refs/heads/evil",
  "acme/wf/.github/workflows/x@refs/heads/main:environment:production",
];

export function githubModel(immutable = false, keys?: string[]): TokenModel {
  const tokens = fc
    .record({
      owner: pick(OWNERS),
      name: pick(NAMES),
      event: pick(["push", "pull_request", "workflow_dispatch", "pull_request_target"]),
      branchOrTag: pick([...BRANCHES, ...TAGS]),
      pr: fc.integer({ min: 1, max: 3 }),
      environment: fc.option(pick(ENVS), { nil: undefined }),
      workflow: pick(WORKFLOWS),
    })
    .map(({ owner, name, event, branchOrTag, pr, environment, workflow }) => {
      const c: Record<string, string | undefined> = {
        repository: `${owner}/${name}`,
        repository_owner: owner,
        repository_owner_id: String(OWNERS.indexOf(owner) + 100),
        repository_id: String(NAMES.indexOf(name) + 900),
        event_name: event,
        // a pull_request job runs on the merge ref; every other event on a branch or tag
        ref: event === "pull_request" ? `refs/pull/${pr}/merge` : branchOrTag,
        environment,
        job_workflow_ref: workflow,
      };
      return { ...c, sub: githubSub(c, immutable, keys) };
    });
  return {
    tokens,
    values: {
      repository: [...OWNERS.flatMap((o) => NAMES.map((n) => `${o}/${n}`)), "acme/*", "acme/api*"],
      repository_owner: OWNERS,
      repository_owner_id: ["100", "101", "102"],
      repository_id: ["900", "901", "902"],
      event_name: ["push", "pull_request", "pull_request_target"],
      ref: [
        ...BRANCHES,
        ...TAGS,
        "refs/pull/1/merge",
        "refs/heads/*",
        "refs/tags/v*",
        "refs/pull/*",
        "*main*",
        "refs/heads/main?x",
      ],
      environment: [...ENVS, "prod*", "*", "prod?eu"],
      job_workflow_ref: [...WORKFLOWS, "acme/wf/.github/workflows/deploy.yml@*"],
    },
  };
}

/** GitLab: `project_path:P:ref_type:T:ref:R`, values written raw. */
export function gitlabModel(): TokenModel {
  const tokens = fc
    .record({
      path: pick(["acme/api", "acme/api-evil", "acme-evil/api", "acme/sub/api"]),
      refType: pick(["branch", "tag"]),
      ref: pick(["main", "v1", "release/1", "main-x"]),
      protectedRef: pick(["true", "false"]),
    })
    .map(({ path, refType, ref, protectedRef }) => ({
      project_path: path,
      namespace_path: path.slice(0, path.lastIndexOf("/")),
      ref_type: refType,
      ref,
      ref_protected: protectedRef,
      sub: `project_path:${path}:ref_type:${refType}:ref:${ref}`,
    }));
  return {
    tokens,
    values: {
      project_path: ["acme/api", "acme/api-evil", "acme/*", "acme/api*"],
      namespace_path: ["acme", "acme-evil"],
      ref_type: ["branch", "tag"],
      ref: ["main", "v1", "release/*", "main*", "v?"],
      ref_protected: ["true"],
    },
  };
}

/** HCP Terraform workspace runs: `organization:O:project:P:workspace:W:run_phase:PH`. */
export function terraformCloudModel(): TokenModel {
  const tokens = fc
    .record({
      org: pick(["acme", "acme-evil"]),
      project: pick(["Default Project", "platform", "platform-x"]),
      workspace: pick(["prod", "prod-eu", "staging"]),
      phase: pick(["plan", "apply"]),
    })
    .map(({ org, project, workspace, phase }) => ({
      terraform_organization_name: org,
      terraform_project_name: project,
      terraform_workspace_name: workspace,
      terraform_run_phase: phase,
      sub: `organization:${org}:project:${project}:workspace:${workspace}:run_phase:${phase}`,
    }));
  return {
    tokens,
    values: {
      terraform_organization_name: ["acme", "acme-evil"],
      terraform_project_name: ["Default Project", "platform", "platform*"],
      terraform_workspace_name: ["prod", "prod-eu", "prod*", "staging"],
      terraform_run_phase: ["plan", "apply"],
    },
  };
}

/** Buildkite: step keys may hold ':'; tag builds use refs/tags, others refs/heads. */
export function buildkiteModel(): TokenModel {
  const tokens = fc
    .record({
      org: pick(["acme", "acme-evil"]),
      pipeline: pick(["deploy", "deploy-x"]),
      branch: pick(["main", "feature/x"]),
      tag: fc.option(pick(["v1", "v2"]), { nil: undefined }),
      commit: pick(["abc", "def"]),
      step: pick(["build", "deploy:prod", "x:ref:refs/heads/main:commit:abc:step:y"]),
    })
    .map(({ org, pipeline, branch, tag, commit, step }) => ({
      organization_slug: org,
      pipeline_slug: pipeline,
      build_branch: branch,
      build_tag: tag,
      build_commit: commit,
      step_key: step,
      sub: `organization:${org}:pipeline:${pipeline}:ref:${tag ? `refs/tags/${tag}` : `refs/heads/${branch}`}:commit:${commit}:step:${step}`,
    }));
  return {
    tokens,
    values: {
      organization_slug: ["acme", "acme-evil"],
      pipeline_slug: ["deploy", "deploy*"],
      build_branch: ["main", "feature/*"],
      build_tag: ["v1", "v*"],
      step_key: ["build", "deploy:prod", "deploy*"],
    },
  };
}

/** CircleCI v2 tokens: branch names (in vcs-ref) may hold '/' and so echo the layout of sub. */
export function circleciModel(org: string): TokenModel {
  const tokens = fc
    .record({
      project: pick(["p1", "p2"]),
      user: pick(["u1", "u2"]),
      origin: pick(["github.com/acme/api", "github.com/evil/repo"]),
      ref: pick([
        "refs/heads/main",
        "refs/heads/q/vcs-origin/github.com/acme/api/vcs-ref/refs/heads/main",
      ]),
    })
    .map(({ project, user, origin, ref }) => ({
      "oidc.circleci.com/project-id": project,
      "oidc.circleci.com/vcs-origin": origin,
      "oidc.circleci.com/vcs-ref": ref,
      sub: `org/${org}/project/${project}/user/${user}/vcs-origin/${origin}/vcs-ref/${ref}`,
    }));
  return {
    tokens,
    values: {
      "oidc.circleci.com/project-id": ["p1", "p2"],
      "oidc.circleci.com/vcs-origin": ["github.com/acme/api", "github.com/acme/*"],
      "oidc.circleci.com/vcs-ref": ["refs/heads/main", "refs/heads/*"],
    },
  };
}

/** A random selector over (some of) the model's claims: 1-3 claims, each exact, oneOf, pattern or absent. */
export function selectors(
  model: TokenModel,
  claims: readonly string[] = Object.keys(model.values),
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .uniqueArray(pick(claims), { minLength: 1, maxLength: 3 })
    .chain((names) =>
      fc
        .tuple(...names.map((n) => matcher(model.values[n]!)))
        .map((ms) => Object.fromEntries(names.map((n, i) => [n, ms[i]]))),
    );
}

function matcher(values: readonly string[]): fc.Arbitrary<unknown> {
  const literal = values.filter((v) => !/[*?]/.test(v));
  const patterns = values.filter((v) => /[*?]/.test(v));
  return fc.oneof(
    { weight: 4, arbitrary: pick(literal) },
    {
      weight: literal.length > 1 ? 2 : 0,
      arbitrary: fc
        .uniqueArray(pick(literal), { minLength: 2, maxLength: 3 })
        .map((oneOf) => ({ oneOf })),
    },
    {
      weight: patterns.length ? 2 : 0,
      arbitrary: pick(patterns.length ? patterns : ["*"]).map((pattern) => ({ pattern })),
    },
    { weight: 1, arbitrary: fc.constant({ absent: true }) },
  );
}
