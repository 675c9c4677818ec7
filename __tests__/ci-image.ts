import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DockerfileParser, Instruction } from "dockerfile-ast";

/** What the CI image's Dockerfile says, read with a Dockerfile parser (not with regular expressions over the file). */
export interface CiImageFacts {
  readonly baseImage: { name: string; tag: string; digest: string | null };
  /** `SHELL` as a JSON array, or undefined. */
  readonly shell: string[] | undefined;
  /** Every `apk add` argument that is a package, as name -> pinned version ("" when unpinned). */
  readonly apkPackages: Record<string, string>;
  /** Flags given to `apk add`. */
  readonly apkFlags: string[];
  /** The text written to /root/.docker/config.json, or undefined. */
  readonly dockerConfigJson: string | undefined;
  readonly env: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly keywords: string[];
}

export const CI_IMAGE_DOCKERFILE = join(__dirname, "..", "docker", "Dockerfile");

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

  const apkPackages: Record<string, string> = {};
  const apkFlags: string[] = [];
  let dockerConfigJson: string | undefined;
  let shell: string[] | undefined;
  const env: Record<string, string> = {};
  const labels: Record<string, string> = {};

  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === "RUN") {
      for (const command of runCommands(instruction)) {
        if (command[0] === "apk" && command[1] === "add") {
          for (const word of command.slice(2)) {
            if (word.startsWith("-")) apkFlags.push(word);
            else {
              const [name, version = ""] = word.split("=", 2) as [string, string?];
              apkPackages[name] = version;
            }
          }
        }
        // echo '<json>' > /root/.docker/config.json
        const redirect = command.indexOf(">");
        if (command[0] === "echo" && redirect === 2 && command[3] === "/root/.docker/config.json") {
          dockerConfigJson = unquote(command[1]!);
        }
      }
    } else if (keyword === "SHELL") {
      shell = JSON.parse(instruction.getArgumentsContent() ?? "null") as string[];
    } else if (keyword === "ENV" || keyword === "LABEL") {
      const target = keyword === "ENV" ? env : labels;
      const properties = (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties();
      for (const p of properties) target[p.getName()] = p.getValue() ?? "";
    }
  }

  return {
    baseImage: { name: from.getImageName() ?? "", tag: from.getImageTag() ?? "", digest: from.getImageDigest() },
    shell,
    apkPackages,
    apkFlags,
    dockerConfigJson,
    env,
    labels,
    keywords: dockerfile.getInstructions().map((i) => i.getKeyword()),
  };
}
