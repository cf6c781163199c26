import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { readError } from "../intent/file";

/** The file in `--out` that lists what render wrote there, so that it replaces only those. */
export const MANIFEST = ".trustplane-render.json";

/** A file to write: its path inside the output folder, and its text. */
export interface TreeFile {
  readonly path: string;
  readonly text: string;
}

/** Why nothing was written: a sentence, and the paths it is about. */
export interface Refusal {
  readonly problem: string;
  readonly paths?: readonly string[];
}

/**
 * Writes `files` under `out` all or nothing, and makes `out` hold exactly render's files of this
 * run: the files render wrote before (listed in MANIFEST) are replaced, those of identities that
 * are gone are removed, and any other file in the way is refused (unless `force`) with the list.
 * Everything is written into a staging folder inside `out` first (so moving it into place never
 * crosses a file system), then moved in one by one; if a move fails, every move before it is
 * undone and the files it replaced are put back. Never throws.
 */
export function commitTree(
  out: string,
  files: readonly TreeFile[],
  force: boolean,
): { written: readonly string[] } | Refusal {
  const target = folder(out);
  if ("problem" in target) return target;
  const { root, created } = target;
  const undo = () => {
    if (created) rmSync(root, { recursive: true, force: true });
  };
  const previous = readManifest(root);
  const paths = files.map((f) => f.path);
  const conflicts = paths.flatMap((p) => conflict(root, p, previous.has(p) || force));
  if (conflicts.length) {
    undo();
    return {
      problem: `${conflicts.length === 1 ? "a path" : `${conflicts.length} paths`} in ${out} ${conflicts.length === 1 ? "is" : "are"} not render's to replace (no earlier render wrote them); move them away, or give --force to replace them`,
      paths: conflicts,
    };
  }
  // a file render wrote before whose path now runs through a link is left alone
  const gone = [...previous].filter(
    (p) => !paths.includes(p) && exists(join(root, p)) && conflict(root, p, true).length === 0,
  );
  const manifest = `${JSON.stringify({ writtenBy: "trustplane render", files: [...paths].sort() }, null, 2)}\n`;
  let staging: string | undefined;
  const done: (() => void)[] = [];
  try {
    staging = mkdtempSync(join(root, ".trustplane-staging-"));
    const all = [...files, { path: MANIFEST, text: manifest }];
    for (const f of all) {
      mkdirSync(dirname(join(staging, "new", f.path)), { recursive: true });
      writeFileSync(join(staging, "new", f.path), f.text);
    }
    const old = join(staging, "old");
    // the files of identities that are gone move aside first: undone, they come back
    for (const p of gone) done.push(moveAside(root, p, old));
    for (const f of all) {
      const destination = join(root, f.path);
      for (const made of makeFolders(root, dirname(f.path))) done.push(() => rmdirSync(made));
      if (exists(destination)) done.push(moveAside(root, f.path, old));
      renameSync(join(staging, "new", f.path), destination);
      done.push(() => renameSync(destination, join(staging!, "new", f.path)));
    }
    for (const p of gone) removeEmptyFolders(root, dirname(p));
    return { written: paths };
  } catch (e) {
    for (const step of done.reverse()) {
      try {
        step();
      } catch {
        // keep undoing the rest: each step stands alone
      }
    }
    undo();
    const path = (e as NodeJS.ErrnoException).path;
    return {
      problem: `cannot write ${path ? relativeTo(out, root, path) : out}: ${readError(e)}; nothing was changed`,
    };
  } finally {
    if (staging && exists(root)) rmSync(staging, { recursive: true, force: true });
  }
}

/** The real output folder, made when missing; or why it cannot be one. */
function folder(out: string): { root: string; created: boolean } | Refusal {
  try {
    const stat = lstatSync(out, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) {
      const to = realpathOrUndefined(out);
      if (to === undefined)
        return {
          problem: `cannot write ${out}: it is a symbolic link to something that does not exist`,
        };
      if (!lstatSync(to).isDirectory())
        return { problem: `cannot write ${out}: it is a link to a file, not a folder` };
      return { root: to, created: false };
    }
    if (stat && !stat.isDirectory())
      return { problem: `cannot write ${out}: it is a file, not a folder` };
    if (stat) return { root: realpathSync(out), created: false };
    mkdirSync(out, { recursive: true });
    return { root: realpathSync(out), created: true };
  } catch (e) {
    const path = (e as NodeJS.ErrnoException).path;
    return { problem: `cannot write ${path ?? out}: ${readError(e)}` };
  }
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The paths a previous render wrote, from its manifest. An entry that is not a plain relative
 * path inside the folder is ignored: a tampered manifest must not make render replace (or remove)
 * anything outside it.
 */
function readManifest(root: string): Set<string> {
  try {
    const { files } = JSON.parse(readFileSync(join(root, MANIFEST), "utf8")) as { files?: unknown };
    return new Set(Array.isArray(files) ? files.filter(isPlainPath) : []);
  } catch {
    return new Set();
  }
}

function isPlainPath(p: unknown): p is string {
  return (
    typeof p === "string" &&
    p !== "" &&
    !p.startsWith("/") &&
    !p.includes("\0") &&
    p.split("/").every((part) => part !== "" && part !== "." && part !== "..")
  );
}

/**
 * Why writing `path` would touch what is not render's: an existing file render did not write, a
 * folder where the file goes, a file or symbolic link where a folder must be. Empty when free.
 */
function conflict(root: string, path: string, replaceable: boolean): string[] {
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++) {
    const stat = lstatSync(join(root, ...parts.slice(0, i)), { throwIfNoEntry: false });
    if (!stat) return [];
    // a link would carry the write out of the folder
    if (!stat.isDirectory())
      return [
        `${parts.slice(0, i).join("/")} (a ${stat.isSymbolicLink() ? "symbolic link" : "file"} where a folder must be)`,
      ];
  }
  const stat = lstatSync(join(root, path), { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isDirectory()) return [`${path} (a folder where a file must be)`];
  return replaceable ? [] : [path];
}

function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** Moves `root/path` under `old`; returns how to move it back. */
function moveAside(root: string, path: string, old: string): () => void {
  const from = join(root, path);
  const aside = join(old, path);
  mkdirSync(dirname(aside), { recursive: true });
  renameSync(from, aside);
  return () => renameSync(aside, from);
}

/** Makes the folders of `dir` under `root` that are missing; returns them, deepest last. */
function makeFolders(root: string, dir: string): string[] {
  const made: string[] = [];
  let path = root;
  for (const part of dir === "." ? [] : dir.split(sep)) {
    path = join(path, part);
    if (exists(path)) continue;
    mkdirSync(path);
    made.push(path);
  }
  return made;
}

/** Removes the folders a removed file leaves empty, up to (not including) `root`. */
function removeEmptyFolders(root: string, dir: string): void {
  for (
    let path = join(root, dir);
    relative(root, path) !== "" && !relative(root, path).startsWith("..");
    path = dirname(path)
  ) {
    try {
      if (readdirSync(path).length) return;
      rmdirSync(path);
    } catch {
      return;
    }
  }
}

/** A path for a message: as the user named `out`, not as the real folder reads. */
function relativeTo(out: string, root: string, path: string): string {
  const inside = relative(root, path);
  return inside.startsWith("..") || inside === "" ? path : join(out, inside);
}
