import { compileDocument } from "../compile";
import type { Issue } from "../errors";
import { isError } from "../errors";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import { backendOf } from "../backends";
import { CI_FILES } from "./ci/files";
import type { HclBody } from "./hcl";
import { printHcl, printTerraformJson } from "./hcl";
import { handoffsOf } from "./handoffs";
import type { IdentityHandoff, Placeholder } from "./model";
import type { StackValues } from "./outputs";
import { backendBody } from "./terraform/backend";
import type { WorkspaceHandoff } from "./terraform/hcp-terraform";
import { workspaceHandoffs, workspaceVariablesBody } from "./terraform/hcp-terraform";
import { providersBody } from "./terraform/providers";
import { authOf } from "./terraform/tokens";

/** One file of an app team's hand-off, by its path under the output directory. */
export interface RenderedFile {
  readonly path: string;
  readonly text: string;
}

/**
 * How the Terraform files are written: `hcl` (`.tf`, the default) or `json` (`.tf.json`). One
 * format only: Terraform reads both in one folder, so two copies would declare everything twice.
 */
export type TerraformFormat = "hcl" | "json";

/** The hand-off files of every identity with a `handoff`, or the issues that prevent them. */
export interface Rendering {
  readonly files?: readonly RenderedFile[];
  readonly placeholders: readonly Placeholder[];
  readonly issues: readonly Issue[];
}

/**
 * Renders every identity's hand-off into files under `<identity>/`: Terraform backend and
 * providers (`.tf`, or `.tf.json` with `format: "json"`), GCP credential configurations, the CI
 * job, HCP Terraform variables. Pure and never throws on bad input: the CLI writes the files,
 * the Pulumi component exports them.
 */
export function render(
  document: unknown,
  stacks?: StackValues,
  format: TerraformFormat = "hcl",
): Rendering {
  const { plan, ir, issues } = compileDocument(document);
  if (!plan || !ir) return { placeholders: [], issues };
  const rendered = renderCompiled(ir, plan, stacks, format);
  return { ...rendered, issues: [...issues, ...rendered.issues] };
}

/** `render` on a compiled document: its issues are the rendering's own. */
export function renderCompiled(
  ir: DocumentIR,
  plan: Plan,
  stacks?: StackValues,
  format: TerraformFormat = "hcl",
): Rendering {
  const { handoffs, placeholders, issues } = handoffsOf(ir, plan, stacks);
  const files = handoffs.flatMap((h) => {
    const rendered = renderIdentity(h, format);
    issues.push(...rendered.issues);
    return rendered.files;
  });
  for (const w of workspaceHandoffs(handoffs, issues)) files.push(...workspaceFiles(w, format));
  return issues.some(isError) ? { placeholders, issues } : { files, placeholders, issues };
}

/** The files of one identity's hand-off. */
export function renderIdentity(
  h: IdentityHandoff,
  format: TerraformFormat = "hcl",
): { files: RenderedFile[]; issues: Issue[] } {
  const files: RenderedFile[] = [];
  const terraform = (name: string, body: HclBody) =>
    files.push(terraformFile(`${h.name}/${name}`, body, format));
  if (h.backend) terraform("backend", backendBody(h, h.backend));
  terraform("providers", providersBody(h));
  for (const grant of h.grants) {
    for (const f of backendOf(grant.cloud).handoff.files(grant, authOf(h, grant)))
      files.push({ path: `${h.name}/${f.path}`, text: f.text });
  }
  const ci = CI_FILES[h.ci]?.(h);
  if (ci?.file) files.push({ path: `${h.name}/${ci.file.path}`, text: ci.file.text });
  return { files, issues: [...(ci?.issues ?? [])] };
}

/** An HCP Terraform workspace's variables, as JSON (for the API or the UI) and as tfe resources. */
function workspaceFiles(w: WorkspaceHandoff, format: TerraformFormat): RenderedFile[] {
  return [
    { path: `${w.directory}/variables.json`, text: `${JSON.stringify(w.variables, null, 2)}\n` },
    terraformFile(`${w.directory}/variables`, workspaceVariablesBody(w), format),
  ];
}

function terraformFile(stem: string, body: HclBody, format: TerraformFormat): RenderedFile {
  return format === "json"
    ? { path: `${stem}.tf.json`, text: printTerraformJson(body) }
    : { path: `${stem}.tf`, text: printHcl(body) };
}
