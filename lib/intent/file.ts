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
    return { unreadable: e instanceof TypeError ? "it is not UTF-8 text" : readError(e) };
  }
}

/** Why a file could not be read, in words: "no such file", "it is a directory", ... */
export function readError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES") return "permission denied";
  if (e instanceof SyntaxError) return "it is not JSON";
  return e instanceof Error ? e.message : String(e);
}
