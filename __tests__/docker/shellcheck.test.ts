import { execFileSync, spawnSync } from "node:child_process";
import { basename, join } from "node:path";
import { describeWithTools } from "../support/system-tools";

const root = join(__dirname, "..", "..");

/**
 * The project's shell scripts (tracked, or new and not ignored): *.sh, plus extensionless files
 * whose first line names bash or sh (such as .ci/run).
 */
function shellScripts(): string[] {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  return [...new Set(files)].sort().filter((f) => {
    if (f.endsWith(".sh")) return true;
    if (basename(f).includes(".")) return false;
    const head = spawnSync("head", ["-n1", join(root, f)], { encoding: "utf8" }).stdout;
    return /^#!.*\b(ba)?sh\b/.test(head);
  });
}

describeWithTools([["shellcheck", "shellcheck"]])("shell scripts", () => {
  const scripts = shellScripts();

  it("include the ones we know of", () => {
    expect(scripts).toEqual(expect.arrayContaining([".ci/run", "tools/install-system-deps.sh"]));
  });

  it.each(scripts)("%s passes shellcheck", (script) => {
    const r = spawnSync("shellcheck", ["--external-sources", script], { cwd: root, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("shellcheck reports a real finding (so a silent pass means something)", () => {
    const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: "#!/bin/bash\necho $1\n", encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain("SC2086");
  });
});
