/** Values from documents and deployed files, shown safely in terminal and Markdown reports. */

/**
 * A value on one line, its line breaks shown as ␤: a name or claim value from a file is the
 * attacker's, and a line break in it would forge lines of the report ("no findings").
 */
export function oneLine(value: string): string {
  return value.replace(/\r\n|[\n\r\u0085\u2028\u2029]/g, "␤");
}

/**
 * Inline text with nothing Markdown reads in it: the punctuation that opens emphasis, links and
 * images, code, math, mentions, table cells or a heading's closing sequence escaped with a
 * backslash, and `&`, `<`, `>` as entities, so no HTML (not every renderer honours `\<`).
 */
export function mdText(value: string): string {
  return oneLine(value)
    .replace(/[\\`*_[\]#|~$@]/g, "\\$&")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/**
 * A code span holding the value as it is: its fence one backtick longer than the longest run of
 * backticks in it, padded with a space where the value starts or ends with a backtick or a space
 * (Markdown strips one such pair).
 */
export function mdCode(value: string): string {
  const shown = oneLine(value);
  const fence = "`".repeat(Math.max(0, ...(shown.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = /^[` ]|[` ]$/.test(shown) ? " " : "";
  return `${fence}${pad}${shown}${pad}${fence}`;
}
