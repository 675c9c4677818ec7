// cdktf 0.21 calls util.isArray (in TerraformOutput), which Node 22 and later report as deprecation
// DEP0044 on every synthesis, and the cdktf CLI relays that as an [ERROR] line. The app drops exactly
// that warning, recognised by its code; every other warning still prints. Only the ready-made app
// installs this: a library does not change its host's process.

const DROPPED = "DEP0044";

type EmitWarning = (warning: string | Error, ...rest: unknown[]) => void;

/** The code of a process.emitWarning call, in any of its forms (Error, options object, or positional). */
function warningCode(warning: string | Error, rest: unknown[]): unknown {
  if (warning instanceof Error && "code" in warning) return warning.code;
  const [second, third] = rest;
  if (typeof second === "object" && second !== null) return (second as { code?: unknown }).code;
  return typeof second === "string" ? third : undefined;
}

export function dropCdktfDeprecationWarning(): void {
  const emit = process.emitWarning.bind(process) as EmitWarning;
  const filtered: EmitWarning = (warning, ...rest) => {
    if (warningCode(warning, rest) !== DROPPED) emit(warning, ...rest);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
}
