import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request } from "node:https";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A real registry (the Debian docker-registry package, i.e. CNCF distribution) on one loopback
 * address, serving TLS with the test certificate and demanding a password (htpasswd, bcrypt).
 */
export interface TestRegistry {
  readonly process: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

export interface TestRegistryOptions {
  readonly dir: string;
  readonly address: string;
  readonly port: number;
  readonly host: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caCert: string;
  readonly username: string;
  readonly password: string;
}

/** GET /v2/ over TLS (trusting only the test CA); resolves with the HTTP status. */
export function pingRegistry(o: Pick<TestRegistryOptions, "address" | "port" | "host" | "caCert">): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: o.address, port: o.port, servername: o.host, path: "/v2/", ca: o.caCert, headers: { host: o.host }, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.setTimeout(2000, () => req.destroy(new Error("timeout")));
    req.end();
  });
}

export async function startRegistry(o: TestRegistryOptions): Promise<TestRegistry> {
  const storage = join(o.dir, "storage");
  mkdirSync(storage, { recursive: true });
  // bcrypt (-B), password from stdin (-i) so it never appears in a process list
  const htpasswd = execFileSync("htpasswd", ["-niB", o.username], { input: `${o.password}\n`, encoding: "utf8" });
  writeFileSync(join(o.dir, "htpasswd"), htpasswd);
  const config = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${storage}`,
    "http:",
    `  addr: ${o.address}:${o.port}`,
    `  secret: ${randomBytes(16).toString("hex")}`,
    "  tls:",
    `    certificate: ${o.certPath}`,
    `    key: ${o.keyPath}`,
    "auth:",
    "  htpasswd:",
    "    realm: gitlab-runner-ecr-e2e",
    `    path: ${join(o.dir, "htpasswd")}`,
    "",
  ].join("\n");
  const configPath = join(o.dir, "config.yml");
  writeFileSync(configPath, config);

  let log = "";
  // a minimal environment: no proxies, no REGISTRY_* overrides from the caller's shell
  const child = spawn("docker-registry", ["serve", configPath], {
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const registry: TestRegistry = {
    process: child,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${log}`);
    try {
      const status = await pingRegistry(o);
      if (status === 401) return registry;
      await registry.stop();
      throw new Error(`registry answered /v2/ with ${status}, expected 401 (password required)`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("registry answered")) throw e;
      if (Date.now() > deadline) {
        await registry.stop();
        throw new Error(`docker-registry did not come up: ${String(e)}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
