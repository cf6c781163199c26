import { regexBody } from "../../claims/glob";
import type { Issue } from "../../errors";
import { error, quote } from "../../errors";
import { backendOf } from "../../backends";
import type { IdentityHandoff } from "../model";
import { authOf } from "../terraform/tokens";
import type { CiRendering } from "./file";
import { headerOf, placeOf, printCiYaml, unsafeStrings } from "./file";
import type { GitlabCondition, GitlabJobShape } from "./gitlab-shape";
import { gitlabJobShapes } from "./gitlab-shape";
import type { JobKind } from "./shape";
import { TERRAFORM_COMMANDS, TERRAFORM_VERSION } from "./shape";

/**
 * HashiCorp's own image at the Terraform the GitHub jobs install: it has `sh` for the
 * before_script. Its entrypoint is `terraform`, which GitLab's shell would run the script with,
 * so the job clears it.
 */
export const TERRAFORM_IMAGE = `hashicorp/terraform:${TERRAFORM_VERSION}`;

/**
 * The GitLab CI jobs of a `ci: gitlab` identity, in `trustplane-<identity>.gitlab-ci.yml` for the
 * project's `.gitlab-ci.yml` to `include:`: `terraform-<identity>-apply` (`terraform apply` in
 * the branch or tag pipelines a selector lets in, one at a time) and `terraform-<identity>-plan`
 * (`terraform plan` in merge request pipelines), each where a selector accepts its tokens.
 * `rules` and `environment` give each job a token one of the identity's selectors accepts;
 * `id_tokens` mints one token per cloud with the grant's audience and the before_script writes
 * each to `<tokenDirectory>/<target>.jwt`, where the Terraform files read it. Never throws on
 * data: a selector no job can meet, or a value GitLab would interpret, is an issue.
 */
export function gitlabJob(h: IdentityHandoff): CiRendering {
  if (h.ci !== "gitlab") throw new Error(`unreachable: gitlabJob on a ${h.ci} hand-off`);
  const { shapes, issues } = gitlabJobShapes(h);
  if (!shapes.length) return { issues };
  const name = (kind: JobKind) => `terraform-${h.name}-${kind}`;
  const body = Object.fromEntries(shapes.map((s) => [name(s.kind), job(h, s)]));
  const refused = [...unsafeStrings(h, body, () => undefined), ...dataIssues(h)];
  if (refused.length) return { issues: refused };
  const path = `trustplane-${h.name}.gitlab-ci.yml`;
  const place = `Include it (include: - local: ${path}) in the .gitlab-ci.yml of ${placeOf(shapes[0]!, "project")}`;
  const header = headerOf(h, shapes, place, { name, requests: "merge requests", place: "project" });
  return { file: { path, text: printCiYaml(header, body) }, issues: [] };
}

function job(h: IdentityHandoff, shape: GitlabJobShape): Record<string, unknown> {
  const gitlab = (g: (typeof h.grants)[number]) => backendOf(g.cloud).handoff.gitlab;
  const variables = Object.assign({}, ...h.grants.map((g) => gitlab(g).variables(g))) as Record<
    string,
    string
  >;
  return {
    image: { name: TERRAFORM_IMAGE, entrypoint: [""] },
    id_tokens: Object.fromEntries(
      h.grants.map((g) => [gitlab(g).tokenVariable, { aud: g.audience }]),
    ),
    ...(Object.keys(variables).length ? { variables } : {}),
    rules: shape.rules.map((r) => ({ if: condition(r) })),
    // two applies of one state never overlap: GitLab runs one job of a resource group at a time
    ...(shape.kind === "apply" ? { resource_group: `terraform-${h.name}` } : {}),
    ...(shape.environment !== undefined ? { environment: shape.environment } : {}),
    before_script: [
      // the tokens are credentials: readable by the job's user only
      "umask 077",
      `mkdir -p ${h.tokenDirectory}`,
      ...h.grants.map(
        (g) => `printf '%s' "$${gitlab(g).tokenVariable}" > ${authOf(h, g).tokenFile!}`,
      ),
    ],
    script: TERRAFORM_COMMANDS[shape.kind].map((c) => `terraform ${c}`),
  };
}

/** Values GitLab or the shell would interpret: '$' in an audience, shell syntax in the token directory. */
function dataIssues(h: IdentityHandoff): Issue[] {
  const path = h.path;
  const issues = h.grants
    .filter((g) => g.audience.includes("$"))
    .map((g) =>
      error(
        "invalid_value",
        path,
        `the audience ${quote(g.audience)} of ${g.target} holds '$', which GitLab expands as a variable in id_tokens; use an audience without it`,
      ),
    );
  // the intent's schema allows only these characters; a hand-off built elsewhere might not
  if (!/^\/[A-Za-z0-9._/-]*$/.test(h.tokenDirectory)) {
    issues.push(
      error(
        "invalid_value",
        [...path, "tokenDirectory"],
        `the token directory ${quote(h.tokenDirectory)} would be shell code in the job's script; use an absolute path of letters, digits, '.', '_', '-' and '/'`,
      ),
    );
  }
  return issues;
}

/** One `rules: if:` expression: the conditions joined with `&&`. */
function condition(conditions: readonly GitlabCondition[]): string {
  return conditions
    .map((c) => {
      if ("equals" in c) return `$${c.variable} == "${c.equals}"`;
      if ("equalsVariable" in c) return `$${c.variable} == $${c.equalsVariable}`;
      if ("matches" in c) return `$${c.variable} =~ ${gitlabRegex(c.matches)}`;
      return `$${c.variable}`;
    })
    .join(" && ");
}

/**
 * A GitLab `/…/` pattern with exactly the glob's language: anchored, `*` as `.*`, `?` as `.`
 * (one character, as RE2 reads UTF-8), every regular-expression operator escaped, and '/'
 * written `\/` as GitLab's lexer requires.
 */
export function gitlabRegex(glob: string): string {
  return `/^${regexBody(glob, "/")}$/`;
}
