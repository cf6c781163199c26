import { format, resolveConfig } from "prettier";

/** `text` as prettier formats the file at `file`: generated files read like the others. */
export async function formatted(file: string, text: string): Promise<string> {
  return format(text, { ...(await resolveConfig(file)), filepath: file });
}
