import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DockerfileParser, Instruction } from "dockerfile-ast";

/** An image reference split by the Dockerfile parser: `[registry/]name[:tag][@digest]`. */
export interface ImageRef {
  readonly ref: string;
  readonly registry: string | null;
  readonly name: string;
  readonly tag: string | null;
  readonly digest: string | null;
}

/** What the CI image's Dockerfile says, read with a Dockerfile parser (not with regular expressions over the file). */
export interface CiImageFacts {
  /** FROM's image; when FROM names a build argument (`FROM ${BASE_IMAGE}`), that argument's default. */
  readonly baseImage: ImageRef;
  /** The build argument FROM is written with, or null when FROM names an image directly. */
  readonly baseImageArg: string | null;
  /** ARGs declared after FROM (only those are visible to later instructions). */
  readonly argsAfterFrom: string[];
  /** `SHELL` as a JSON array, or undefined. */
  readonly shell: string[] | undefined;
  /** Every `apk add` argument that is a package, as name -> version constraint ("~1.2", "=1.2-r0", or "" when unpinned). */
  readonly apkPackages: Record<string, string>;
  /** Flags given to `apk add`. */
  readonly apkFlags: string[];
  /** The text written to /root/.docker/config.json, or undefined. */
  readonly dockerConfigJson: string | undefined;
  readonly env: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly keywords: string[];
  /** Every instruction with its arguments, comments left out: what the build executes. */
  readonly instructionsText: string;
}

export const CI_IMAGE_DOCKERFILE = join(__dirname, "..", "..", "docker", "Dockerfile");

/** Splits an image reference with the same parser, as the image of a one-line Dockerfile. */
export function parseImageRef(ref: string): ImageRef {
  const from = DockerfileParser.parse(`FROM ${ref}\n`).getFROMs()[0]!;
  return { ref, registry: from.getRegistry(), name: from.getImageName() ?? "", tag: from.getImageTag(), digest: from.getImageDigest() };
}

/**
 * The packages and flags of one `apk add` command, given as its words after `apk add`. A package
 * word is `name`, `name=version` or `name~version` (apk's exact and prefix-match constraints).
 */
export function parseApkAdd(words: readonly string[]): { packages: Record<string, string>; flags: string[] } {
  const packages: Record<string, string> = {};
  const flags: string[] = [];
  for (const word of words) {
    if (word.startsWith("-")) {
      flags.push(word);
      continue;
    }
    const match = /^([^=~<>]+)(.*)$/.exec(word)!;
    packages[match[1]!] = match[2]!;
  }
  return { packages, flags };
}

/** The shell commands of a RUN instruction, split at `&&` (the only separator this Dockerfile uses). */
function runCommands(run: Instruction): string[][] {
  const words = run.getArguments().map((a) => a.getValue());
  const commands: string[][] = [[]];
  for (const w of words) {
    if (w === "&&") commands.push([]);
    else commands[commands.length - 1]!.push(w);
  }
  return commands.filter((c) => c.length > 0);
}

function unquote(word: string): string {
  return /^'.*'$/s.test(word) ? word.slice(1, -1) : word;
}

export function readCiImageDockerfile(path: string = CI_IMAGE_DOCKERFILE): CiImageFacts {
  const dockerfile = DockerfileParser.parse(readFileSync(path, "utf8"));
  const froms = dockerfile.getFROMs();
  if (froms.length !== 1) throw new Error(`expected one FROM, found ${froms.length}`);
  const from = froms[0]!;

  // FROM ${NAME} or FROM $NAME: the image is the default of the ARG NAME declared before FROM.
  const fromText = from.getArgumentsContent() ?? "";
  const argName = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(fromText);
  const baseImageArg = argName ? (argName[1] ?? argName[2])! : null;
  let baseImage: ImageRef;
  if (baseImageArg !== null) {
    const arg = dockerfile.getInitialARGs().find((a) => a.getProperty()?.getName() === baseImageArg);
    const value = arg?.getProperty()?.getValue();
    if (value === undefined || value === null || value === "")
      throw new Error(`FROM uses \${${baseImageArg}}, which has no default before FROM`);
    baseImage = parseImageRef(value);
  } else {
    baseImage = {
      ref: fromText,
      registry: from.getRegistry(),
      name: from.getImageName() ?? "",
      tag: from.getImageTag(),
      digest: from.getImageDigest(),
    };
  }

  let apkPackages: Record<string, string> = {};
  const apkFlags: string[] = [];
  let dockerConfigJson: string | undefined;
  let shell: string[] | undefined;
  const env: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const argsAfterFrom: string[] = [];
  const fromLine = from.getRange().start.line;

  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === "RUN") {
      for (const command of runCommands(instruction)) {
        if (command[0] === "apk" && command[1] === "add") {
          const parsed = parseApkAdd(command.slice(2));
          apkPackages = { ...apkPackages, ...parsed.packages };
          apkFlags.push(...parsed.flags);
        }
        // echo '<json>' > /root/.docker/config.json
        const redirect = command.indexOf(">");
        if (command[0] === "echo" && redirect === 2 && command[3] === "/root/.docker/config.json") {
          dockerConfigJson = unquote(command[1]!);
        }
      }
    } else if (keyword === "SHELL") {
      shell = JSON.parse(instruction.getArgumentsContent() ?? "null") as string[];
    } else if (keyword === "ARG" && instruction.getRange().start.line > fromLine) {
      const property = (instruction as unknown as { getProperty(): { getName(): string } | null }).getProperty();
      if (property) argsAfterFrom.push(property.getName());
    } else if (keyword === "ENV" || keyword === "LABEL") {
      const target = keyword === "ENV" ? env : labels;
      const properties = (
        instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }
      ).getProperties();
      for (const p of properties) target[p.getName()] = p.getValue() ?? "";
    }
  }

  return {
    baseImage,
    baseImageArg,
    argsAfterFrom,
    shell,
    apkPackages,
    apkFlags,
    dockerConfigJson,
    env,
    labels,
    keywords: dockerfile.getInstructions().map((i) => i.getKeyword()),
    instructionsText: dockerfile
      .getInstructions()
      .map((i) => `${i.getKeyword()} ${i.getArgumentsContent() ?? ""}`)
      .join("\n"),
  };
}
