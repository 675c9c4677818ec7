/**
 * Values reserved for documentation, which the example configurations use and a real one never
 * holds: a file copied from the example and not filled in synthesizes, but cannot deploy (or
 * deploys into a VPC that is not yours), so the app warns naming each such field.
 */
import { formatPath } from "../support/field-path";

interface Placeholder {
  readonly pattern: RegExp;
  readonly what: string;
}

const PLACEHOLDERS: readonly Placeholder[] = [
  // The account ids AWS's own documentation uses, alone or inside an ARN.
  { pattern: /(^|:)(111122223333|444455556666|123456789012)(:|$)/, what: "an account id from AWS's documentation" },
  { pattern: /^(vpc|subnet)-(0123456789abcdef0|0fedcba9876543210)$/, what: "the example's id" },
  // RFC 2606 reserves example.com, .net and .org (and their subdomains) for documentation.
  { pattern: /^(https?:\/\/)?([^/]*\.)?example\.(com|net|org)(:\d+)?(\/|$)/i, what: "a host reserved for documentation" },
];

export interface PlaceholderValue {
  /** The field, as `network.subnetIds[1]`. */
  readonly field: string;
  readonly what: string;
}

/** Every string of a configuration (as read from its file) that is a documentation placeholder. */
export function placeholdersIn(data: unknown, path: PropertyKey[] = []): PlaceholderValue[] {
  if (typeof data === "string") {
    const found = PLACEHOLDERS.find((p) => p.pattern.test(data));
    return found === undefined ? [] : [{ field: formatPath(path), what: found.what }];
  }
  if (Array.isArray(data)) return data.flatMap((v, i) => placeholdersIn(v, [...path, i]));
  if (data !== null && typeof data === "object") return Object.entries(data).flatMap(([k, v]) => placeholdersIn(v, [...path, k]));
  return [];
}

/** The warning for a configuration file that still holds placeholders, or undefined. */
export function placeholderWarning(source: string, found: readonly PlaceholderValue[]): string | undefined {
  if (found.length === 0) return undefined;
  const fields = found.map((f) => `${f.field} (${f.what})`).join(", ");
  return `${source} still holds the example's placeholder values: ${fields}. Fill in your own before deploying.`;
}
