import type { Node } from "yaml";
import { LineCounter, isNode, parseDocument as parseYaml } from "yaml";
import type { Issue, Path } from "../errors";
import { error } from "../errors";

/** An issue with the line and column of the place it points at, when the source is text. */
export type LocatedIssue = Issue & { readonly line?: number; readonly column?: number };

/** A parsed intent file: the plain data, and a way to find where a path was written. */
export interface LoadedText {
  readonly data?: unknown;
  /** `invalid_syntax` issues; when present, `data` is undefined. */
  readonly issues: readonly LocatedIssue[];
  readonly locate: (issue: Issue) => LocatedIssue;
}

/**
 * Parses YAML or JSON text (JSON is YAML). Duplicate keys, unknown tags and alias bombs are
 * syntax errors, not silently resolved.
 */
export function loadText(text: string): LoadedText {
  const lines = new LineCounter();
  const doc = parseYaml(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  const at = (offset: number) => lines.linePos(offset);
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length) {
    return {
      issues: problems.map((p) => {
        const { line, col } = at(p.pos[0]);
        const message = `the file is not valid YAML or JSON: ${p.message.split("\n")[0]}`;
        return { ...error("invalid_syntax", [], message), line, column: col };
      }),
      locate: (i) => i,
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      issues: [error("invalid_syntax", [], `the file cannot be read as data: ${message}`)],
      locate: (i) => i,
    };
  }
  const locate = (issue: Issue): LocatedIssue => {
    const node = nearestNode(doc.contents, issue.path);
    if (!node?.range) return issue;
    const { line, col } = at(node.range[0]);
    return { ...issue, line, column: col };
  };
  return { data, issues: [], locate };
}

/** The node at `path`, or the deepest ancestor that exists (for missing keys). */
function nearestNode(root: unknown, path: Path): Node | undefined {
  let node = isNode(root) ? root : undefined;
  for (const key of path) {
    const next = (node as { get?: (k: unknown, keep: boolean) => unknown } | undefined)?.get?.(
      key,
      true,
    );
    if (!isNode(next)) break;
    node = next;
  }
  return node;
}
