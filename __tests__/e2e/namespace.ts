import { spawn } from "node:child_process";

/**
 * Runs a command in a private mount namespace (`unshare -m`, propagation private) in which a temp
 * hosts file is bind-mounted over /etc/hosts, so the real ECR host names resolve to loopback
 * addresses for that command and its children only. The machine's /etc/hosts is never written.
 * Needs root (or CAP_SYS_ADMIN).
 */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function runWithHosts(
  hostsFile: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  timeoutMs = 30_000,
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "--",
        "/bin/sh",
        "-c",
        'mount --bind "$0" /etc/hosts && exec "$@"',
        hostsFile,
        command,
        ...args,
      ],
      { env, stdio: ["pipe", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(input ?? "");
  });
}
