/**
 * A small parser for Terraform type constraints (`string`, `list(T)`, `map(T)`, `set(T)`,
 * `object({ a = T, b = optional(T, default) })`, `tuple([...])`, `any`), as they appear in the
 * module reference JSON. It exists so the module binding can be generated from that data and
 * checked against it, instead of being typed out by hand.
 */

export type HclType =
  | { readonly kind: "primitive"; readonly name: "string" | "number" | "bool" | "any" }
  | { readonly kind: "list" | "set" | "map"; readonly element: HclType }
  | { readonly kind: "tuple"; readonly elements: readonly HclType[] }
  | { readonly kind: "object"; readonly attributes: readonly HclAttribute[] };

export interface HclAttribute {
  readonly name: string;
  readonly type: HclType;
  readonly optional: boolean;
  /** The default of `optional(T, default)` as written in HCL, if any. */
  readonly defaultText?: string;
}

export function parseHclType(text: string): HclType {
  const parser = new Parser(text);
  const type = parser.type();
  parser.skipSpace();
  if (!parser.atEnd()) {
    parser.fail("unexpected trailing text");
  }
  return type;
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  fail(message: string): never {
    throw new Error(`${message} at offset ${this.pos} in type expression: ${this.text}`);
  }

  expect(token: string): void {
    this.skipSpace();
    if (!this.text.startsWith(token, this.pos)) this.fail(`expected '${token}'`);
    this.pos += token.length;
  }

  tryConsume(token: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.pos));
    if (!match) this.fail("expected an identifier");
    this.pos += match[0].length;
    return match[0];
  }

  type(): HclType {
    const name = this.identifier();
    switch (name) {
      case "string":
      case "number":
      case "bool":
      case "any":
        return { kind: "primitive", name };
      case "list":
      case "set":
      case "map": {
        this.expect("(");
        const element = this.type();
        this.expect(")");
        return { kind: name, element };
      }
      case "tuple": {
        this.expect("(");
        this.expect("[");
        const elements: HclType[] = [];
        while (!this.tryConsume("]")) {
          elements.push(this.type());
          this.tryConsume(",");
        }
        this.expect(")");
        return { kind: "tuple", elements };
      }
      case "object": {
        this.expect("(");
        this.expect("{");
        const attributes: HclAttribute[] = [];
        while (!this.tryConsume("}")) {
          attributes.push(this.attribute());
          this.tryConsume(",");
        }
        this.expect(")");
        return { kind: "object", attributes };
      }
      default:
        return this.fail(`unknown type '${name}'`);
    }
  }

  attribute(): HclAttribute {
    const name = this.identifier();
    this.expect("=");
    this.skipSpace();
    if (this.text.startsWith("optional(", this.pos)) {
      this.expect("optional(");
      const type = this.type();
      let defaultText: string | undefined;
      if (this.tryConsume(",")) {
        defaultText = this.rawValue();
      }
      this.expect(")");
      return defaultText === undefined ? { name, type, optional: true } : { name, type, optional: true, defaultText };
    }
    return { name, type: this.type(), optional: false };
  }

  /** Reads an HCL literal up to the closing `)` of `optional(...)`, honouring brackets and strings. */
  rawValue(): string {
    this.skipSpace();
    const start = this.pos;
    let depth = 0;
    while (!this.atEnd()) {
      const c = this.text[this.pos]!;
      if (c === '"') {
        this.pos++;
        while (!this.atEnd() && this.text[this.pos] !== '"') {
          if (this.text[this.pos] === "\\") this.pos++;
          this.pos++;
        }
      } else if (c === "(" || c === "[" || c === "{") {
        depth++;
      } else if (c === ")" || c === "]" || c === "}") {
        if (depth === 0) break;
        depth--;
      }
      this.pos++;
    }
    return this.text.slice(start, this.pos).trim();
  }
}
