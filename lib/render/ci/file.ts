import { Document, parse, visit } from "yaml";
import type { Issue } from "../../errors";
import { error, formatPath, quote } from "../../errors";
import type { IdentityHandoff } from "../model";
import type { JobKind, ShapeBase } from "./shape";
import { describePlacement, JOB_KINDS } from "./shape";

// What the GitHub and GitLab renderers share: the file they return, YAML 1.1 text with a header,
// and the last check of the strings data put into it.

/** A CI file: its path in the app team's repository, and its text. */
export interface CiFile {
  readonly path: string;
  readonly text: string;
}

/** A rendered CI file, or the issues that prevent it. */
export interface CiRendering {
  readonly file?: CiFile;
  readonly issues: readonly Issue[];
}

/**
 * YAML text with `header` as its leading comment. Every string that YAML 1.1 or YAML 1.2 would
 * read as something else when written plain (`on`, `y`, `0o17`, `0x1F`, `.inf`, `~`, `1:20`,
 * `2001-12-14` …) is double-quoted, so GitLab's Ruby reader (1.1) and GitHub's (1.2) see the same
 * strings.
 */
export function printCiYaml(header: readonly string[], body: object): string {
  const doc = new Document(body, { version: "1.1", aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === "string" && readsOtherwise(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  // YAML 1.1 also ends a line (so a comment) at U+0085, U+2028 and U+2029
  doc.commentBefore = header
    .map(
      (line) =>
        ` ${line.replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}`,
    )
    .join("\n");
  return doc.toString({ lineWidth: 0 });
}

/** Whether `text`, written as a plain scalar, is read by YAML 1.1 or 1.2 as anything but itself. */
function readsOtherwise(text: string): boolean {
  return (["1.1", "1.2"] as const).some((version) => {
    try {
      // silent: a warning about the text (a directive-like `%x`) must not reach the user
      return parse(text, { version, logLevel: "silent" }) !== text;
    } catch {
      return true;
    }
  });
}

/** What a CI calls the jobs of a file and where they run, for its header. */
export interface JobWords {
  readonly name: (kind: JobKind) => string;
  /** What the plan job runs on: "pull requests", "merge requests". */
  readonly requests: string;
  /** What the file is committed to: "repository", "project". */
  readonly place: string;
}

/**
 * The comment lines that open a generated CI file: what it is, where it goes (`place` names the
 * repository or project, `where` the placement, e.g. "the repository where repository = …"),
 * which selector each job meets and what it chose, and which kind of job no selector allows.
 */
export function headerOf(
  h: IdentityHandoff,
  shapes: readonly ShapeBase[],
  place: string,
  words: JobWords,
): string[] {
  const does: Readonly<Record<JobKind, string>> = {
    apply: "plans and applies",
    plan: `plans ${words.requests}`,
  };
  const jobLines = (kind: JobKind): string[] => {
    const shape = shapes.find((s) => s.kind === kind);
    if (!shape) {
      return [
        `No job ${does[kind]}: no selector of identity ${h.name} accepts the tokens of one in this ${words.place}.`,
      ];
    }
    return [
      // named, not numbered: reordering the identities must not change the file
      `Job ${words.name(kind)} ${does[kind]}; its tokens meet ${formatPath(shape.selector.slice(2))} of identity ${h.name} in the intent.`,
      ...shape.notes.map((n) => `  ${n}.`),
    ];
  };
  return [
    `The Terraform jobs of identity ${h.name}, written by \`trustplane render\`: change the intent and render again rather than edit it.`,
    `${place}.`,
    ...JOB_KINDS.flatMap(jobLines),
  ];
}

/** "the repository where repository = "acme/api"", or "any repository" when nothing is pinned. */
export function placeOf(shape: ShapeBase, noun: string): string {
  const pins = shape.placement.map(describePlacement);
  return pins.length ? `the ${noun} where ${pins.join(" and ")}` : `any ${noun}`;
}

/**
 * Strings of a built CI file that data put there and the CI would misread: control characters
 * and YAML 1.1 line breaks anywhere, and whatever `alsoRefuse` names.
 */
export function unsafeStrings(
  h: IdentityHandoff,
  body: unknown,
  alsoRefuse: (text: string) => string | undefined,
): Issue[] {
  const issues: Issue[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds; '\n' is our scripts' own
      const why = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(value)
        ? "control characters and line breaks could end the YAML value early"
        : alsoRefuse(value);
      if (why) {
        issues.push(
          error(
            "invalid_value",
            h.path,
            `the CI file of ${h.name} would hold ${quote(value)}, and ${why}; check the targets and stack outputs it comes from`,
          ),
        );
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        visit(k);
        visit(v);
      }
    }
  };
  visit(body);
  return issues;
}
