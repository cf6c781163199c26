import { closeSync, openSync, readSync } from "node:fs";
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
    const text = new TextDecoder("utf-8", { fatal: true }).decode(
      readLimited(file, MAX_INTENT_BYTES, "intent documents"),
    );
    return loadText(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    return { unreadable: e instanceof TypeError ? "it is not UTF-8 text" : readError(e) };
  }
}

/** A read that stopped at its limit: the input is larger (or endless). */
class TooLarge extends Error {}

/**
 * Reads a file (`-`: standard input) but never more than `limit` bytes: the size a file reports
 * is not trusted, so devices, FIFOs and endless streams stop at the limit too.
 *
 * @throws an error `readError` words: "it is over 5242880 bytes; intent documents are at most …"
 */
export function readLimited(path: string, limit: number, what: string): Buffer {
  const fd = path === "-" ? 0 : openSync(path, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, limit + 1 - total));
      const n = readChunk(fd, chunk);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit)
        throw new TooLarge(`it is over ${limit} bytes; ${what} are at most ${limit} bytes`);
    }
    return Buffer.concat(chunks);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

/** One read; a non-blocking standard input that has nothing yet is waited for. */
function readChunk(fd: number, into: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, into, 0, into.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** Why a file could not be read, in words: "no such file", "it is a directory", ... */
export function readError(e: unknown): string {
  if (e instanceof TooLarge) return e.message;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES") return "permission denied";
  if (e instanceof SyntaxError) return "it is not JSON";
  // Node's "EPERM: operation not permitted, rename 'a' -> 'b'": the words, without the paths
  const words = e instanceof Error && code ? /^[A-Z]+: ([^,]+)/.exec(e.message)?.[1] : undefined;
  return words ?? (e instanceof Error ? e.message : String(e));
}
