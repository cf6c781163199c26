import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { globMatch } from "../../lib/claims/glob";
import type { IdentityHandoff } from "../../lib/render/model";
import { githubSub } from "../support/tokens";

// What a generated job's token carries, read back from the emitted YAML, not from lib/render: the
// model of each CI (trigger → ref and event, `if:` → events, `environment:` → claim, `rules:` →
// ref, the header → repository or project) that test/render/ci.test.ts holds the files to,
// written from the CIs' docs.

export type Claims = Record<string, string>;
type Json = Record<string, unknown>;

/** The claims one job's token carries on one of its events (GitHub) or rules (GitLab). */
export interface Derived {
  /** The job and the event or rule: what a failure names. */
  readonly job: string;
  readonly claims: Claims;
  /** target → the `aud` its token is requested with. */
  readonly audiences: ReadonlyMap<string, string>;
  /** The claims the job pins, in the order a negative test mutates them. */
  readonly pinned: readonly string[];
}

/** The tokens every job of a CI file carries, one per event or rule it runs on. */
export function derivedJobs(text: string, h: IdentityHandoff, issuer: Json): Derived[] {
  const jobs = (h.ci === "gitlab" ? gitlabDerived : githubDerived)(text, h, issuer);
  assert.ok(jobs.length, "a file without a job that runs");
  return jobs;
}

/**
 * The claims the header's placement line pins ("… where repository = "acme/api" and …"), with
 * the path claim (`repository`, `project_path`) and its owner set to a place that meets every
 * `=` and `like` there, starting from the sample's.
 */
function placementOf(
  text: string,
  sample: Claims,
  path: string,
  owner: string,
  split: "first" | "last",
): Claims {
  const line = text.split("\n").find((l) => l.startsWith("# ") && l.includes(" where "));
  const exact: Claims = {};
  const like: Claims = {};
  for (const [, claim, op, value] of line?.matchAll(/(\w+) (=|like) ("(?:[^"\\]|\\.)*")/g) ?? []) {
    (op === "=" ? exact : like)[claim!] = JSON.parse(value!) as string;
  }
  const ownerOf = (v: string) =>
    v.slice(0, split === "first" ? v.indexOf("/") : v.lastIndexOf("/"));
  const name = sample[path]!.slice(sample[path]!.lastIndexOf("/") + 1);
  const fill = (pattern: string, run: string) => pattern.replaceAll("*", run).replaceAll("?", "y");
  const candidates = [
    exact[path],
    sample[path],
    exact[owner] && `${exact[owner]}/${name}`,
    ...(like[path] ? [fill(like[path], "x"), fill(like[path], "x/x")] : []),
  ];
  const placed = candidates.find(
    (c) =>
      c !== undefined &&
      c.includes("/") &&
      (exact[path] === undefined || c === exact[path]) &&
      (like[path] === undefined || globMatch(like[path], c)) &&
      (exact[owner] === undefined || ownerOf(c) === exact[owner]) &&
      (like[owner] === undefined || globMatch(like[owner], ownerOf(c))),
  );
  assert.ok(placed, `no place meets ${line}`);
  for (const [claim, pattern] of Object.entries(like)) {
    if (claim !== path && claim !== owner) exact[claim] = fill(pattern, "x");
  }
  return { ...exact, [path]: placed, [owner]: ownerOf(placed) };
}

/** GitHub's filter semantics as its docs give them: `**` any run, `*` no '/', `[…]` one listed. */
export function githubFilterRegex(filter: string): RegExp {
  let re = "";
  for (let i = 0; i < filter.length; i++) {
    if (filter.startsWith("**", i)) {
      re += ".*";
      i++;
    } else if (filter[i] === "*") re += "[^/]*";
    else if (filter[i] === "[") {
      const end = filter.indexOf("]", i);
      re += filter.slice(i, end + 1);
      i = end;
    } else re += filter[i]!.replace(/[.^$|(){}\\?+]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "u");
}

/** A name a GitHub filter matches: `**` spans a '/', a class takes a letter. */
function filterWitness(filter: string): string {
  const name = filter.replaceAll("**", "1.2/x").replace(/\[[^\]]*\]/g, "a");
  assert.ok(githubFilterRegex(filter).test(name), `${name} should match ${filter}`);
  return name;
}

/** A value a GitLab `/^…$/` pattern matches. */
function regexWitness(literal: string): string {
  const body = literal.slice(1, -1).replaceAll("\\/", "/");
  const value = body
    .slice(1, -1)
    .replace(
      /\\(.)|\.\*|\./gu,
      (m, escaped: string | undefined) => escaped ?? (m === ".*" ? "1.2/x" : "y"),
    );
  assert.ok(new RegExp(body, "u").test(value), `${value} should match ${literal}`);
  return value;
}

type Step = { uses?: string; with?: Claims; env?: Claims; run?: string };
type Workflow = {
  name: string;
  on: Record<string, { branches?: string[]; tags?: string[] } | null>;
  jobs: Record<string, { if?: string; environment?: string; steps: Step[] }>;
};

/** The events a job runs on: the workflow's, less those its `if: github.event_name …` skips. */
function eventsOf(workflow: Workflow, condition: string | undefined): string[] {
  const test = condition && /^github\.event_name (==|!=) '(\w+)'$/.exec(condition);
  assert.ok(condition === undefined || test, `an if the model cannot read: ${condition}`);
  return Object.keys(workflow.on).filter((e) => !test || (test[1] === "==") === (e === test[2]));
}

function githubDerived(text: string, h: IdentityHandoff, issuer: Json): Derived[] {
  const workflow = parse(text, { version: "1.1" }) as Workflow;
  const placed = placementOf(text, h.issuer.sample, "repository", "repository_owner", "first");
  return Object.entries(workflow.jobs).flatMap(([name, job]) =>
    eventsOf(workflow, job.if).map((event) => {
      const claims: Claims = { ...h.issuer.sample, ...placed, workflow: workflow.name };
      const pinned: string[] = [];
      delete claims.environment;
      if (job.environment !== undefined) {
        claims.environment = job.environment;
        pinned.push("environment");
      }
      claims.event_name = event;
      if (event === "push") {
        const [branch] = workflow.on.push?.branches ?? [];
        const [tag] = workflow.on.push?.tags ?? [];
        // an unfiltered push would run on every branch, which no apply job may
        assert.ok(branch !== undefined || tag !== undefined, `${name} runs on every push`);
        claims.ref =
          tag !== undefined
            ? `refs/tags/${filterWitness(tag)}`
            : `refs/heads/${filterWitness(branch!)}`;
        pinned.push("ref");
      } else if (event === "pull_request") {
        claims.ref = "refs/pull/7/merge";
        pinned.push("event_name");
      } else {
        assert.equal(event, "workflow_dispatch");
        // a dispatched run takes whichever ref the person picks
        claims.ref = "refs/heads/picked";
        pinned.push("event_name");
      }
      return {
        job: `${name} on ${event}`,
        claims: githubSettled(claims, issuer),
        audiences: githubAudiences(job.steps, h),
        pinned,
      };
    }),
  );
}

/** GitHub's own invariants, then its sub. */
function githubSettled(claims: Claims, issuer: Json): Claims {
  claims.ref_type = claims.ref!.startsWith("refs/tags/") ? "tag" : "branch";
  const keys = issuer.subjectClaims as string[] | undefined;
  return { ...claims, sub: githubSub(claims, issuer.subjectFormat === "immutable", keys) };
}

/** What each cloud's step asks GitHub for: the `audience` input, or the action's default. */
function githubAudiences(steps: readonly Step[], h: IdentityHandoff): Map<string, string> {
  const step = (action: string) => steps.find((s) => s.uses?.startsWith(`${action}@`));
  const out = new Map<string, string>();
  for (const g of h.grants) {
    if (g.cloud === "aws") {
      out.set(
        g.target,
        step("aws-actions/configure-aws-credentials")!.with!.audience ?? "sts.amazonaws.com",
      );
    } else if (g.cloud === "azure") {
      const login = step("azure/login")!.with!.audience ?? "api://AzureADTokenExchange";
      // azurerm asks for the default audience unless a step wrote a token file for it
      const file = steps.find((s) => s.run?.includes("ARM_OIDC_TOKEN_FILE_PATH"));
      assert.equal(
        file?.env?.AUDIENCE ?? "api://AzureADTokenExchange",
        login,
        "Terraform and az use one audience",
      );
      out.set(g.target, login);
    } else {
      const auth = step("google-github-actions/auth")!.with!;
      out.set(
        g.target,
        auth.audience ?? `https://iam.googleapis.com/${auth.workload_identity_provider}`,
      );
    }
  }
  return out;
}

/** A merge request pipeline's token: its ref is the source branch, any one, seldom protected. */
const MERGE_REQUEST: Claims = { ref_type: "branch", ref: "feature/plan", ref_protected: "false" };
const TESTED: Readonly<Record<string, (claims: Claims, value?: string) => void>> = {
  CI_COMMIT_BRANCH: (c, v) => Object.assign(c, { ref_type: "branch", ref: v ?? "main" }),
  CI_COMMIT_TAG: (c, v) => Object.assign(c, { ref_type: "tag", ref: v ?? "v1" }),
  CI_COMMIT_REF_PROTECTED: (c, v) => Object.assign(c, { ref_protected: v }),
  CI_PIPELINE_SOURCE: (c, v) =>
    Object.assign(c, { pipeline_source: v }, v === "merge_request_event" ? MERGE_REQUEST : {}),
};
const PINS: Readonly<Record<string, string>> = {
  CI_COMMIT_BRANCH: "ref",
  CI_COMMIT_TAG: "ref",
  CI_COMMIT_REF_PROTECTED: "ref_protected",
  CI_PIPELINE_SOURCE: "pipeline_source",
};
/** The default branch of the project the model places the file in. */
const DEFAULT_BRANCH = "main";

type GitlabJob = {
  environment?: string;
  rules?: { if: string }[];
  id_tokens: Record<string, { aud: string }>;
  before_script: string[];
};

function gitlabDerived(text: string, h: IdentityHandoff, issuer: Json): Derived[] {
  const file = parse(text, { version: "1.1" }) as Record<string, GitlabJob>;
  const pins = placementOf(text, h.issuer.sample, "project_path", "namespace_path", "last");
  return Object.entries(file).flatMap(([name, job]) => {
    // a job without rules runs in every branch and tag pipeline, which no apply job may
    assert.ok(job.rules?.length, `${name} runs in every pipeline`);
    const audiences = gitlabAudiences(job, h);
    return job.rules.map((rule, i) => {
      const claims: Claims = { ...h.issuer.sample, ...pins };
      const pinned: string[] = [];
      if (job.environment !== undefined) {
        claims.environment = job.environment;
        pinned.push("environment");
      }
      for (const test of rule.if.split(" && ")) {
        const [, variable, equals, pattern, other] =
          /^\$(\w+)(?: == "(.*)"| =~ (\/.*\/)| == \$(\w+))?$/.exec(test)!;
        assert.ok(other === undefined || other === "CI_DEFAULT_BRANCH", test);
        const witness = pattern === undefined ? undefined : regexWitness(pattern);
        TESTED[variable!]!(claims, equals ?? witness ?? (other && DEFAULT_BRANCH));
        // a bare variable pins only the ref's type, and so does the default branch: the job chose it
        const compared = equals !== undefined || witness !== undefined;
        pinned.push(compared ? PINS[variable!]! : "ref_type");
      }
      return { job: `${name} rule ${i}`, claims: gitlabSettled(claims, issuer), audiences, pinned };
    });
  });
}

/** What each `id_tokens` entry asks for, by the target whose token file it is written to. */
function gitlabAudiences(job: GitlabJob, h: IdentityHandoff): Map<string, string> {
  const audiences = new Map<string, string>();
  for (const line of job.before_script) {
    // printf '%s' "$AWS_ID_TOKEN" > /tmp/trustplane/aws-prod.jwt
    const written = /^printf '%s' "\$(\w+)" > (\S+)\/([\w-]+)\.jwt$/.exec(line);
    if (!written) continue;
    assert.equal(written[2], h.tokenDirectory);
    audiences.set(written[3]!, job.id_tokens[written[1]!]!.aud);
  }
  return audiences;
}

/** GitLab's own invariants, then its sub (`ci_id_token_sub_claim_components`). */
function gitlabSettled(claims: Claims, issuer: Json): Claims {
  claims.ref_path = `refs/${claims.ref_type === "tag" ? "tags" : "heads"}/${claims.ref}`;
  const keys = (issuer.subjectClaims as string[] | undefined) ?? [
    "project_path",
    "ref_type",
    "ref",
  ];
  return { ...claims, sub: keys.map((k) => `${k}:${claims[k]}`).join(":") };
}

/** The claims with the first claim the file pins set to a value the file does not allow. */
export function mutated(d: Derived, issuer: Json, gitlab: boolean): Claims | undefined {
  const claim = d.pinned[0];
  if (claim === undefined) return undefined;
  const c: Claims = { ...d.claims };
  const other: Readonly<Record<string, () => void>> = {
    environment: () => (c.environment = "not-trusted"),
    ref: () =>
      Object.assign(
        c,
        gitlab
          ? { ref: "not-trusted", ref_type: "branch" }
          : { ref: "refs/heads/not-trusted", event_name: "push" },
      ),
    event_name: () => Object.assign(c, { event_name: "push", ref: "refs/heads/not-trusted" }),
    ref_type: () => Object.assign(c, { ref_type: c.ref_type === "tag" ? "branch" : "tag" }),
    ref_protected: () => (c.ref_protected = "false"),
    pipeline_source: () => (c.pipeline_source = "web"),
  };
  other[claim]!();
  return gitlab ? gitlabSettled(c, issuer) : githubSettled(c, issuer);
}
