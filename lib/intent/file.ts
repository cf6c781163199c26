import { readFileSync, statSync } from "node:fs";
import type { LoadedText } from "./load";
import { loadText } from "./load";

/** Intent documents are small; anything larger is a mistake (or an attack on the parser). */
export const MAX_INTENT_BYTES = 5 * 1024 * 1024;

/** A file that could not be read at all, with the reason in words. */
export interface Unreadable {
  readonly unreadable: string;
}

/**
 * Reads and parses an intent file (YAML or JSON, UTF-8). Never throws: an unreadable file is
 * returned as `{ unreadable }`, a syntax error as `invalid_syntax` issues.
 */
export function readIntentFile(file: string): LoadedText | Unreadable {
  try {
    const size = statSync(file).size;
    if (size > MAX_INTENT_BYTES) {
      return {
        unreadable: `it is ${size} bytes; intent documents are at most ${MAX_INTENT_BYTES} bytes`,
      };
    }
    const text = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file));
    return loadText(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { unreadable: "no such file" };
    if (code === "EISDIR") return { unreadable: "it is a directory" };
    if (code === "EACCES") return { unreadable: "permission denied" };
    if (e instanceof TypeError) return { unreadable: "it is not UTF-8 text" };
    return { unreadable: e instanceof Error ? e.message : String(e) };
  }
}
