/**
 * Renders a value of Terraform's JSON syntax (as it appears in cdk.tf.json) as the equivalent HCL
 * expression, for `cdktf synth --hcl`.
 *
 * Why: cdktf 0.21 renders untyped values (all module inputs) by guessing. A string with a newline
 * comes out as a quoted string split over lines, which Terraform refuses ("Invalid multi-line
 * string"); a string holding a reference keeps its other quotes unescaped; a backslash is copied
 * as-is and then read by HCL as an escape. Module inputs are plain attribute values (never nested
 * blocks), so they can be rendered exactly, and this file does that.
 *
 * Strings in Terraform JSON are templates: `${…}` interpolates and `$${` is a literal `${`.
 * A string that is exactly one interpolation becomes the bare expression (the same value, type
 * included); a plain string becomes a quoted string, or a heredoc when it has several lines and
 * ends with a newline (a heredoc's value always does); a mix of text and interpolations becomes
 * `join("", [...])`, which keeps `${` out of the rendered text (cdktf re-renders any attribute
 * text that contains `${` with its own guessing).
 */

type TemplatePart = { readonly literal: string } | { readonly expression: string };

/** Splits a Terraform JSON string template into literal text and `${…}` interpolations. */
export function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    if (template.startsWith("$${", i) || template.startsWith("%%{", i)) {
      literal += template.slice(i + 1, i + 3);
      i += 3;
    } else if (template.startsWith("%{", i)) {
      throw new Error(`template directives (%{…}) are not supported in HCL rendering: ${template}`);
    } else if (template.startsWith("${", i)) {
      const end = interpolationEnd(template, i + 2);
      if (literal !== "") parts.push({ literal });
      literal = "";
      parts.push({ expression: template.slice(i + 2, end).trim() });
      i = end + 1;
    } else {
      literal += template[i];
      i += 1;
    }
  }
  if (literal !== "" || parts.length === 0) parts.push({ literal });
  return parts;
}

/** Index of the `}` closing an interpolation whose expression starts at `start`. */
function interpolationEnd(template: string, start: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = start; i < template.length; i++) {
    const c = template[i];
    if (quoted) {
      if (c === "\\") i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === "{") {
      depth += 1;
    } else if (c === "}") {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  throw new Error(`unterminated interpolation in ${template}`);
}

/** A quoted HCL string whose value is exactly `text` (no interpolation). */
export function quotedHclString(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (c === "\\") out += "\\\\";
    else if (c === '"') out += '\\"';
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  // Template sequences in the text must stay text.
  return `"${escapeTemplateSequences(out)}"`;
}

/** `${` and `%{` as text: `$${` and `%%{` (a function, since "$$" means "$" in a replacement string). */
function escapeTemplateSequences(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

const HEREDOC_MARKER = "EOT";

function literalString(text: string, heredocAllowed: boolean): string {
  const lines = text.split("\n");
  const heredocFits =
    heredocAllowed && lines.length > 2 && text.endsWith("\n") && !text.includes("\r") && !lines.some((l) => l.trim() === HEREDOC_MARKER);
  if (!heredocFits) return quotedHclString(text);
  // In a heredoc only template sequences are special; backslashes and quotes are literal.
  const body = escapeTemplateSequences(text);
  return `<<${HEREDOC_MARKER}\n${body}${HEREDOC_MARKER}`;
}

function stringExpression(template: string, heredocAllowed: boolean): string {
  const parts = splitTemplate(template);
  if (parts.length === 1) {
    const only = parts[0]!;
    return "expression" in only ? only.expression : literalString(only.literal, heredocAllowed);
  }
  const items = parts.map((p) => ("expression" in p ? p.expression : quotedHclString(p.literal)));
  return `join("", [${items.join(", ")}])`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The HCL expression for a resolved JSON value; nested lines are indented by two spaces a level.
 * List items never use a heredoc: its closing marker must stand alone on its line, without the
 * item's comma.
 */
export function hclExpression(value: unknown, indent = "", heredocAllowed = true): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot render ${value} in HCL`);
    return String(value);
  }
  if (typeof value === "string") return stringExpression(value, heredocAllowed);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${hclExpression(v, inner, false)},`).join("\n")}\n${indent}]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([k, v]) => `${inner}${IDENTIFIER.test(k) ? k : quotedHclString(k)} = ${hclExpression(v, inner)}`);
    return `{\n${lines.join("\n")}\n${indent}}`;
  }
  throw new Error(`cannot render a ${typeof value} in HCL`);
}

const INTERPOLATION_ONLY = /^(\s*(?:[A-Za-z_][\w-]*\s*=\s*)?)"\$\{([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])+)\}"(,?)$/;

/**
 * Rewrites `"${aws_s3_bucket.cache.id}"` as `aws_s3_bucket.cache.id` on lines of cdktf's HCL that
 * hold one reference and nothing else, as `terraform fmt` would (cdktf quotes references in
 * resource attributes, so its HCL never passes `terraform fmt -check`). Heredoc bodies are left
 * alone.
 */
export function unwrapInterpolationOnlyStrings(hcl: string): string {
  let heredocMarker: string | undefined;
  return hcl
    .split("\n")
    .map((line) => {
      if (heredocMarker !== undefined) {
        if (line.trim() === heredocMarker) heredocMarker = undefined;
        return line;
      }
      heredocMarker = /<<-?([A-Za-z_]\w*)$/.exec(line)?.[1];
      return line.replace(INTERPOLATION_ONLY, "$1$2$3");
    })
    .join("\n");
}
