import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MissingSystemToolError, findOnPath, requireTool } from "../support/system-tools";
import { tempFolder } from "../support/temp-folder";

describe("system-tools helper", () => {
  const saved = { path: process.env.PATH, require: process.env.REQUIRE_SYSTEM_TOOLS };
  let dir: string;
  beforeEach(() => {
    dir = tempFolder("system-tools-");
    writeFileSync(join(dir, "tool-x"), "#!/bin/sh\n", { mode: 0o755 });
    writeFileSync(join(dir, "not-exec"), "", { mode: 0o644 });
  });
  afterEach(() => {
    process.env.PATH = saved.path;
    if (saved.require === undefined) delete process.env.REQUIRE_SYSTEM_TOOLS;
    else process.env.REQUIRE_SYSTEM_TOOLS = saved.require;
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it("finds executables on PATH only when they are executable", () => {
    expect(findOnPath("tool-x", dir)).toBe(join(dir, "tool-x"));
    expect(findOnPath("not-exec", dir)).toBeUndefined();
    expect(findOnPath("tool-x", "")).toBeUndefined();
  });

  it("runs when the tool is present", () => {
    process.env.PATH = dir;
    expect(requireTool("tool-x", "pkg-x")).toBe(true);
  });

  it("skips with a note naming the package when the tool is missing", () => {
    process.env.PATH = dir;
    delete process.env.REQUIRE_SYSTEM_TOOLS;
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(requireTool("no-such-tool", "pkg-y")).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("'pkg-y'"));
  });

  it("passes a sentence through for programs that are not Debian packages", () => {
    process.env.PATH = dir;
    delete process.env.REQUIRE_SYSTEM_TOOLS;
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(requireTool("no-such-tool", "from the vendor; not a Debian package")).toBe(false);
    expect(warn).toHaveBeenCalledWith("SKIPPED: 'no-such-tool' is not on PATH (from the vendor; not a Debian package)");
  });

  it("fails naming the package under REQUIRE_SYSTEM_TOOLS=1", () => {
    process.env.PATH = dir;
    process.env.REQUIRE_SYSTEM_TOOLS = "1";
    expect(() => requireTool("no-such-tool", "pkg-y")).toThrow(MissingSystemToolError);
    expect(() => requireTool("no-such-tool", "pkg-y")).toThrow(/Debian package 'pkg-y'/);
  });
});
