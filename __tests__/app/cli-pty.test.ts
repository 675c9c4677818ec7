// The pty module the cdktf CLI loads at start (`require("@cdktf/node-pty-prebuilt-multiarch")` from
// its bundle) is @lydell/node-pty, a Node-API build of node-pty 1.1 put under that name by
// package.json's alias and override: one prebuilt binary for every Node, no install script, no
// compiler. This checks, on the Node running the tests, the calls the CLI makes (spawn with cwd and
// env, onData, write, onExit with an exit code) and the rest of the surface it could use.
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");
// Resolved from where the CLI's bundle requires it, as the CLI does.
const CLI_BUNDLE = join(dirname(require.resolve("cdktf-cli/package.json", { paths: [ROOT] })), "bundle", "bin", "cmds");
let PTY = "";
try {
  PTY = require.resolve("@cdktf/node-pty-prebuilt-multiarch", { paths: [CLI_BUNDLE] });
} catch {
  // The CDK Terrain variant (npm run check:cdktn): cdktn-cli has no pty module, and no alias is installed.
}
const describeWithPty = PTY ? describe : describe.skip;

/** Runs a script in a fresh Node (a native module is loaded once per process, not in jest's registry). */
function probe(script: string) {
  const r = spawnSync(process.execPath, ["-e", `const pty = require(${JSON.stringify(PTY)});\n${script}`], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeWithPty("the pty module of cdktf-cli", () => {
  test("the CLI resolves the module to the single top-level @lydell/node-pty (no copy of the ABI-bound original)", () => {
    expect(PTY).toBe(join(ROOT, "node_modules", "@cdktf", "node-pty-prebuilt-multiarch", "index.js"));
    const manifest = require(join(dirname(PTY), "package.json")) as { name: string; scripts?: Record<string, string> };
    expect(manifest.name).toBe("@lydell/node-pty");
    expect(manifest.scripts?.install).toBeUndefined();
    // The same module for @cdktf/cli-core (the override): nothing nested under it.
    const core = dirname(require.resolve("@cdktf/cli-core/package.json", { paths: [ROOT] }));
    expect(require.resolve("@cdktf/node-pty-prebuilt-multiarch", { paths: [core] })).toBe(PTY);
  });

  test(`spawn, onData, write and onExit as the CLI calls them (Node ${process.version})`, () => {
    // What cli-core's spawnPty does: spawn(file, args, { cwd, env }) without a size, then write a line
    // (writeLine, e.g. "yes" for terraform init) and read the output until onExit. The child waits a
    // moment before it exits: output written just before a child exits can be lost to node-pty's EIO
    // on the closed terminal, with 0.10.2 as with 1.1 (same exit handling; measured on Node 20 with
    // `read; echo; exit` children: the line lost in 18 of 600 exits with 0.10.2, 26 of 600 with 1.1).
    const r = probe(`
    const p = pty.spawn("/bin/sh", ["-c", "read answer; echo \\"got $answer in $PWD as $PROBE\\"; sleep 0.5; exit 3"], { cwd: "/tmp", env: { ...process.env, PROBE: "probe-env" } });
    let out = "";
    p.onData((d) => (out += d));
    p.write("yes\\n");
    p.onExit(({ exitCode }) => { console.log(JSON.stringify({ exitCode, out, pid: typeof p.pid })); process.exit(0); });
    setTimeout(() => process.exit(4), 15000);`);
    expect(r.status).toBe(0);
    const { exitCode, out, pid } = JSON.parse(r.stdout);
    expect(exitCode).toBe(3);
    expect(out).toContain("got yes in /tmp as probe-env");
    expect(pid).toBe("number");
    expect(r.stderr).toBe("");
  });

  test("resize, the terminal size a child sees, and kill with a signal", () => {
    const r = probe(`
    const p = pty.spawn("/bin/sh", ["-c", "stty size; read x; stty size; sleep 30"], { cols: 80, rows: 24, cwd: "/", env: process.env });
    let out = "";
    p.onData((d) => {
      out += d;
      if (/24 80/.test(out) && !p.resized) { p.resized = true; p.resize(120, 40); p.write("\\n"); }
      if (/40 120/.test(out) && !p.killed) { p.killed = true; p.kill("SIGTERM"); }
    });
    p.onExit(({ exitCode, signal }) => { console.log(JSON.stringify({ out, exitCode, signal })); process.exit(0); });
    setTimeout(() => process.exit(4), 15000);`);
    expect(r.status).toBe(0);
    const { out, signal } = JSON.parse(r.stdout);
    expect(out).toMatch(/24 80[\s\S]*40 120/);
    expect(signal).toBe(15);
  });
});
