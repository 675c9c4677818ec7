// Node warnings that the pinned cdktf 0.21 causes on newer Node and that tell the user nothing they
// can act on. Each is recognised exactly: a deprecation by its code, a warning without a code by its
// type and the start of its message. Every other warning still prints. The app installs the filter
// (main.ts), and so does the cdktf CLI's start script once tools/cli-warnings.js (npm's prepare step)
// has added it there (`npm test` gives jest `--disable-warning=DEP0044` instead: its synthesis tests
// run cdktf in jest's own processes). A library does not change its host's process.

interface KnownWarning {
  type: string;
  code?: string;
  /** For a warning without a code: how its message starts. */
  messageStart?: string;
}

export const KNOWN_WARNINGS: readonly KnownWarning[] = [
  // cdktf 0.21 calls util.isArray (in TerraformOutput): Node 22 and later, on every synthesis, and
  // the CLI relays it from the app as an [ERROR] line.
  { type: "DeprecationWarning", code: "DEP0044" },
  // Node 26 enables Web Storage; reading globalThis.localStorage without --localstorage-file warns.
  // The cdktf CLI's bundled localforage tests `typeof localStorage` when it loads (every command).
  { type: "ExperimentalWarning", messageStart: "localStorage is not available" },
];

type EmitWarning = (warning: string | Error, ...rest: unknown[]) => void;

/** Type, code and message of a process.emitWarning call, in any of its forms (Error, options object, or positional). */
export function describeWarning(warning: string | Error, rest: unknown[]): { type: string; code?: unknown; message: string } {
  if (warning instanceof Error) return { type: warning.name, code: (warning as { code?: unknown }).code, message: warning.message };
  const [second, third] = rest;
  if (typeof second === "object" && second !== null) {
    const options = second as { type?: unknown; code?: unknown };
    return { type: typeof options.type === "string" ? options.type : "Warning", code: options.code, message: warning };
  }
  if (typeof second === "string") return { type: second, code: third, message: warning };
  return { type: "Warning", message: warning };
}

/** Whether a warning is one of KNOWN_WARNINGS. */
export function isKnownWarning(warning: string | Error, rest: unknown[] = []): boolean {
  const { type, code, message } = describeWarning(warning, rest);
  return KNOWN_WARNINGS.some((known) =>
    known.code !== undefined
      ? code === known.code
      : code === undefined && type === known.type && known.messageStart !== undefined && String(message).startsWith(known.messageStart),
  );
}

/** Drops KNOWN_WARNINGS from this process's warnings; idempotent. */
export function dropKnownWarnings(): void {
  const current = process.emitWarning as typeof process.emitWarning & { knownWarningsDropped?: true };
  if (current.knownWarningsDropped) return;
  const emit = current.bind(process) as EmitWarning;
  const filtered: EmitWarning & { knownWarningsDropped?: true } = (warning, ...rest) => {
    if (!isKnownWarning(warning, rest)) emit(warning, ...rest);
  };
  filtered.knownWarningsDropped = true;
  process.emitWarning = filtered as typeof process.emitWarning;
}
