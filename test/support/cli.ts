import { run } from "../../lib/cli/main";

/** What one CLI run printed, and its exit code. */
export interface Result {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process; every `out`/`err` call is one line, as the real entry writes it. */
export async function cli(...argv: string[]): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}
