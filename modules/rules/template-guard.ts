/**
 * The guard behind "configuration is data": in Terraform JSON every string is a template, so a
 * `${…}` or `%{…}` that reached cdk.tf.json from configuration would be evaluated (a tag value
 * `${file("/etc/passwd")}` becomes the file). The configuration schema refuses such text; this
 * guard checks the synthesized document itself, so nothing that slips past the schema (or comes
 * from a construct of the user's) goes out: every interpolation must be one of the stack's own
 * expressions (references to declared blocks, a few functions, literals without templates), and
 * directives (`%{…}`) never appear.
 */

/** The functions this stack writes into expressions (variable validations, first item of a list, distinct token parameters). */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  "alltrue",
  "can",
  "distinct",
  "element",
  "floor",
  "length",
  "regex",
  "trimprefix",
]);

const KEYWORDS = new Set(["for", "in", "if", "true", "false", "null"]);

/** A template's interpolations and directives; escaped sequences (`$${`, `%%{`) are text. */
export function templateSequences(template: string): { interpolations: string[]; directives: number } {
  const interpolations: string[] = [];
  let directives = 0;
  let i = 0;
  while (i < template.length) {
    if (template.startsWith("$${", i) || template.startsWith("%%{", i)) {
      i += 3;
    } else if (template.startsWith("%{", i)) {
      directives += 1;
      i += 2;
    } else if (template.startsWith("${", i)) {
      const end = closingBrace(template, i + 2);
      if (end < 0) {
        interpolations.push(template.slice(i + 2));
        break;
      }
      interpolations.push(template.slice(i + 2, end));
      i = end + 1;
    } else {
      i += 1;
    }
  }
  return { interpolations, directives };
}

/** Index of the `}` that closes an interpolation starting at `start`, or -1. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
      if (i < 0) return -1;
    } else if (c === "{") {
      depth += 1;
    } else if (c === "}") {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

/** Index of the quote closing the string literal that opens at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i += 1;
    else if (text[i] === '"') return i;
  }
  return -1;
}

const TOKEN = /\s+|([A-Za-z_][A-Za-z0-9_-]*)|(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*")|(>=|<=|==|!=|&&|\|\||[-+*/%<>!?:.,()[\]])/y;

/**
 * Why an interpolation is not one of the stack's own expressions, or undefined when it is.
 * `declared(root, name)` answers whether `var.x`, `module.x`, `local.x`, `data.<type>.x` or
 * `<resource type>.x` is declared in the stack.
 */
export function foreignExpression(expression: string, declared: (address: string) => boolean): string | undefined {
  const bound = new Set<string>();
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expression);
    if (!m || m.index !== at) return `has a character the stack never writes at position ${at}`;
    if (m[0].trim() !== "") tokens.push(m[0]);
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startsWith('"')) {
      if (/[$%]\{/.test(t)) return "holds a nested template";
      continue;
    }
    if (!/^[A-Za-z_]/.test(t) || tokens[i - 1] === ".") continue;
    if (tokens[i + 1] === "(") {
      if (!ALLOWED_FUNCTIONS.has(t)) return `calls ${t}(), which the stack never writes`;
      continue;
    }
    if (t === "for") {
      // `for x in …` and `for k, v in …`: the names are bound from here on.
      for (let j = i + 1; j < tokens.length && tokens[j] !== "in"; j++) if (/^[A-Za-z_]/.test(tokens[j]!)) bound.add(tokens[j]!);
      continue;
    }
    if (KEYWORDS.has(t) || bound.has(t)) continue;
    const parts = [t];
    for (let j = i + 1; tokens[j] === "." && j + 1 < tokens.length; j += 2) parts.push(tokens[j + 1]!);
    const address = t === "data" ? parts.slice(0, 3).join(".") : parts.slice(0, 2).join(".");
    if (!declared(address)) return `refers to ${address}, which the stack does not declare`;
  }
  return undefined;
}
