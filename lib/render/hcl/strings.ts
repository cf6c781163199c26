// How HCL and Terraform JSON strings are escaped and measured (see `./ast.ts` for the rules).

const TEMPLATE_INTRO = /\$\{|%\{/g;
// a template introducer, a character with a short escape, or one Go's unicode.IsPrint refuses
const HCL_ESCAPED = /\$\{|%\{|[\\"]|[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  '"': '\\"',
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** `${` → `$${` and `%{` → `%%{`: Terraform reads every string as a template. */
function escapeTemplate(text: string): string {
  return text.replace(TEMPLATE_INTRO, (intro) => `${intro[0]}${intro}`);
}

/**
 * A Terraform JSON string for `text`. After a carriage return that does not start a CRLF, hcl's
 * template scanner reads the rest of a JSON string as plain text, with `$$` pairs taken greedily,
 * so `$${` there cannot be written; such text is written as the interpolation of its quoted
 * `.tf` form, `${"…"}`, which reads back exactly.
 */
export function jsonString(text: string): string {
  return /\r(?!\n)/.test(text) ? `\${${quote(text)}}` : escapeTemplate(text);
}

/** A quoted HCL string literal that reads back as exactly `text`. */
export function quote(text: string): string {
  const escaped = text.replace(HCL_ESCAPED, (match) => {
    if (match === "${" || match === "%{") return `${match[0]}${match}`;
    const short = SHORT_ESCAPES[match];
    if (short !== undefined) return short;
    const code = match.codePointAt(0) ?? 0;
    const hex = code.toString(16);
    return code < 0x10000 ? `\\u${hex.padStart(4, "0")}` : `\\U${hex.padStart(8, "0")}`;
  });
  return `"${escaped}"`;
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * Columns `terraform fmt` counts for a lead when aligning `=`: grapheme clusters per token
 * (hclwrite Tokens.Columns). In a quoted key the quotes, each lone `$` or `%` and each `$${` or
 * `%%{` are tokens of their own, so clusters never span them.
 */
export function columns(lead: string): number {
  if (/^[\x20-\x7e]*$/.test(lead)) return lead.length;
  const inner = lead.slice(1, -1); // only quoted keys hold anything but ASCII
  const tokens = inner.split(/(\$\$\{|%%\{|[$%])/);
  return 2 + tokens.reduce((sum, token) => sum + [...graphemes.segment(token)].length, 0);
}
