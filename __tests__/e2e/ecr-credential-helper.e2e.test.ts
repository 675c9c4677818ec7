/**
 * End to end, offline: does our Docker credential configuration really log in to ECR?
 *
 * Real parts: the ECR credential helper (Debian amazon-ecr-credential-helper), a registry that
 * demands a password (Debian docker-registry), skopeo and, when present, the docker CLI as clients.
 * Stand-in: ECR's GetAuthorizationToken endpoint (./e2e/fake-ecr.ts), which checks the SigV4
 * signature made with fake static credentials and issues the registry's password.
 *
 * Clients reach both under the real host names (api.ecr.<region>.amazonaws.com and
 * <account>.dkr.ecr.<region>.amazonaws.com, port 443) through a hosts file bind-mounted over
 * /etc/hosts in a private mount namespace per command; TLS uses a throwaway CA handed to the helper
 * as AWS_CA_BUNDLE and to skopeo and docker as their CA. Servers listen on random 127.x addresses.
 *
 * Configurations under test are the real ones: the config.json the CI image's Dockerfile writes
 * (credsStore), read with the Dockerfile parser, and the one the synthesized pre_install_script
 * writes for the runner manager (credHelpers), obtained by running that script with /root on a tmpfs.
 *
 * Needs root: unshare/mount and port 443. Tools come from tools/install-system-deps.sh.
 */
import { execFileSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { request } from "node:https";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { ecrRegistryHost } from "../../modules/aws/names";
import { credHelpersConfig, parseCredHelpersInstallScript } from "../../modules/support/manager-docker-config";
import { readCiImageDockerfile } from "../support/ci-image";
import { FakeEcr, GET_AUTHORIZATION_TOKEN, startFakeEcr } from "./fake-ecr";
import { CommandResult, runWithHosts } from "./namespace";
import { OciImage, layoutLayerDigests, writeOciImage } from "./oci-image";
import { TestPki, makeTestPki } from "./pki";
import { TestRegistry, startRegistry } from "./registry";
import { synthIn } from "../support/synth-in";
import { findOnPath, requireTool, requireTools, systemToolsRequired } from "../support/system-tools";

const TOOLS = [
  ["unshare", "util-linux"],
  ["docker-credential-ecr-login", "amazon-ecr-credential-helper"],
  ["docker-registry", "docker-registry"],
  ["skopeo", "skopeo"],
  ["htpasswd", "apache2-utils"],
  ["openssl", "openssl"],
] as const;

function runsAsRoot(): boolean {
  if (process.getuid?.() === 0) return true;
  const message = "the ECR credential-helper e2e test needs root (unshare --mount, mount --bind, port 443)";
  if (systemToolsRequired()) throw new Error(`${message}; REQUIRE_SYSTEM_TOOLS=1, so this is a failure`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

const canRun = requireTools(TOOLS) && runsAsRoot();
// The docker CLI is the real consumer of the image's credsStore; it needs no engine for a manifest read.
const hasDockerCli = canRun && requireTool("docker", "docker.io");

const { accountId, region } = DEFAULT_CONFIG.aws;
const REGISTRY_HOST = ecrRegistryHost(accountId, region);
const ECR_API_HOST = `api.ecr.${region}.amazonaws.com`;
const REPOSITORY = DEFAULT_CONFIG.repositories!.find((r) => r.name !== undefined)!.name!;
const FAKE_KEY = { accessKeyId: "AKIAE2ETESTFAKEKEY01", secretAccessKey: "e2e-fake-secret-access-key-not-a-real-one" };

interface Step {
  readonly outcome: "OK" | "REFUSED";
  readonly what: string;
  readonly ms: number;
  readonly detail?: string;
}

(canRun ? describe : describe.skip)("ECR credential helper, end to end (offline)", () => {
  jest.setTimeout(30_000); // each step takes well under a second here; leave room for a slow machine
  const started = Date.now();
  const steps: Step[] = [];
  let tmp: string;
  let pki: TestPki;
  let fakeEcr: FakeEcr | undefined;
  let registry: TestRegistry | undefined;
  let hostsFile: string;
  let image: OciImage;
  let password: string;
  let runnerConfigPath: string;
  let installScript: string;
  let jobDockerConfigDir: string;
  let env: NodeJS.ProcessEnv;
  let skopeoGlobal: string[];

  const ref = (tag: string) => `docker://${REGISTRY_HOST}/${REPOSITORY}:${tag}`;
  const run = (command: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string) =>
    runWithHosts(hostsFile, command, args, { ...env, ...extraEnv }, input);
  const skopeo = (args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}) => run("skopeo", [...skopeoGlobal, ...args], extraEnv);
  const record = (outcome: Step["outcome"], what: string, r: CommandResult, detail?: string) =>
    steps.push({ outcome, what, ms: r.ms, ...(detail !== undefined ? { detail } : {}) });
  /** The registry's or helper's reason, out of skopeo's one-line fatal message. */
  const reason = (stderr: string) =>
    /(unauthorized: [^"\n]*)/.exec(stderr)?.[1] ?? /(error getting credentials[^"\n]{0,60})/.exec(stderr)?.[1] ?? stderr.trim().slice(-80);
  const expectSuccess = (r: CommandResult) => {
    if (r.status !== 0) throw new Error(`exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "ecr-e2e-"));
    for (const d of ["home", "tmp", "xdg", "certs", "pki", "registry", "job-docker"]) mkdirSync(join(tmp, d), { recursive: true });

    // Two loopback addresses no other run is likely to use; the names map to them only in our namespaces.
    const net = `127.${randomInt(1, 255)}.${randomInt(1, 255)}`;
    const ecrApiAddress = `${net}.2`;
    const registryAddress = `${net}.3`;
    hostsFile = join(tmp, "hosts");
    writeFileSync(hostsFile, `127.0.0.1 localhost\n::1 localhost\n${ecrApiAddress} ${ECR_API_HOST}\n${registryAddress} ${REGISTRY_HOST}\n`);

    pki = makeTestPki(join(tmp, "pki"), [ECR_API_HOST, REGISTRY_HOST]);
    writeFileSync(join(tmp, "certs", "ca.crt"), pki.caCert); // skopeo --*-cert-dir: *.crt are extra CAs
    password = randomBytes(24).toString("base64url");

    fakeEcr = await startFakeEcr({
      address: ecrApiAddress,
      port: 443,
      key: pki.key,
      cert: pki.cert,
      credentials: { ...FAKE_KEY, region, service: "ecr" },
      accountId,
      registryHost: REGISTRY_HOST,
      password,
    });
    registry = await startRegistry({
      dir: join(tmp, "registry"),
      address: registryAddress,
      port: 443,
      host: REGISTRY_HOST,
      certPath: pki.certPath,
      keyPath: pki.keyPath,
      caCert: pki.caCert,
      username: "AWS",
      password,
    });

    image = writeOciImage(join(tmp, "image"), "e2e", { "hello.txt": "pushed through docker-credential-ecr-login\n" });

    // The job image's Docker config, exactly as the Dockerfile writes it.
    const jobConfig = readCiImageDockerfile().dockerConfigJson;
    if (jobConfig === undefined) throw new Error("docker/Dockerfile writes no /root/.docker/config.json");
    jobDockerConfigDir = join(tmp, "job-docker");
    writeFileSync(join(jobDockerConfigDir, "config.json"), `${jobConfig}\n`);

    // The runner manager's Docker config, exactly as the synthesized install script writes it.
    const scripts = new Set(
      Object.values(synthIn(tmp).json.module).map(
        (m) => (m as { runner_install?: { pre_install_script?: string } }).runner_install?.pre_install_script,
      ),
    );
    if (scripts.size !== 1 || [...scripts][0] === undefined) throw new Error("expected one pre_install_script shared by all fleets");
    installScript = [...scripts][0]!;
    const scriptPath = join(tmp, "pre-install.sh");
    writeFileSync(scriptPath, installScript);
    runnerConfigPath = join(tmp, "runner-config.json");
    execFileSync(
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "--",
        "/bin/bash",
        "-c",
        'mount -t tmpfs -o mode=0700 tmpfs /root && bash -eu "$0" && stat -c %a /root/.docker/config.json > "$1.mode" && cp /root/.docker/config.json "$1"',
        scriptPath,
        runnerConfigPath,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );

    writeFileSync(join(tmp, "policy.json"), JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
    writeFileSync(join(tmp, "registries.conf"), "");
    skopeoGlobal = ["--policy", join(tmp, "policy.json")];
    env = {
      PATH: process.env.PATH,
      HOME: join(tmp, "home"), // the helper logs to ~/.ecr; skopeo would read ~/.docker/config.json
      TMPDIR: join(tmp, "tmp"),
      XDG_RUNTIME_DIR: join(tmp, "xdg"), // skopeo reads $XDG_RUNTIME_DIR/containers/auth.json first
      CONTAINERS_REGISTRIES_CONF: join(tmp, "registries.conf"),
      AWS_ACCESS_KEY_ID: FAKE_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_KEY.secretAccessKey,
      AWS_CA_BUNDLE: pki.caCertPath,
      AWS_CONFIG_FILE: join(tmp, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(tmp, "no-aws-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ECR_DISABLE_CACHE: "true", // every login goes to the fake endpoint, so each one is checked
      AWS_ECR_CACHE_DIR: join(tmp, "ecr-cache"),
    };
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
    await fakeEcr?.close();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    const issued = fakeEcr?.calls.filter((c) => c.accepted).length ?? 0;
    const refused = fakeEcr?.calls.filter((c) => !c.accepted) ?? [];
    const width = Math.max(...steps.map((s) => s.what.length));
    console.log(
      [
        `ECR credential helper e2e: ${REGISTRY_HOST}/${REPOSITORY} (registry) and ${ECR_API_HOST} (fake GetAuthorizationToken), loopback only`,
        ...steps.map(
          (s) => `  ${s.outcome.padEnd(7)} ${s.what.padEnd(width)} ${String(s.ms).padStart(5)} ms${s.detail ? `  ${s.detail}` : ""}`,
        ),
        `  fake ECR: ${issued} token(s) issued to signed requests, ${refused.length} refused (${[...new Set(refused.map((c) => c.detail.split(":")[0]))].join(", ")})`,
        `  total ${((Date.now() - started) / 1000).toFixed(1)} s, every process stopped and ${tmp ?? "temp dir"} removed`,
      ].join("\n"),
    );
  });

  it("the runner's install script writes credHelpers for exactly the stack's ECR host, mode 0600", () => {
    const written = readFileSync(runnerConfigPath, "utf8");
    expect(JSON.parse(written)).toEqual(credHelpersConfig([REGISTRY_HOST]));
    // the same document the module's parser reads back from the synthesized script
    expect(JSON.parse(written).credHelpers).toEqual(parseCredHelpersInstallScript(installScript));
    expect(readFileSync(`${runnerConfigPath}.mode`, "utf8").trim()).toBe("600");
  });

  it("the helper gets the registry password from the (fake) ECR API with a SigV4-signed request, region taken from the host", async () => {
    const before = fakeEcr!.calls.length;
    const r = await run("docker-credential-ecr-login", ["get"], {}, REGISTRY_HOST);
    expectSuccess(r);
    expect(JSON.parse(r.stdout)).toEqual({ ServerURL: REGISTRY_HOST, Username: "AWS", Secret: password });
    expect(fakeEcr!.calls.slice(before)).toEqual([
      { target: GET_AUTHORIZATION_TOKEN, accepted: true, detail: `token for ${accountId} to ${FAKE_KEY.accessKeyId}` },
    ]);
    record("OK", "helper get: password from signed GetAuthorizationToken", r);
  });

  it("pushes the image through the runner manager's credHelpers config", async () => {
    const before = fakeEcr!.calls.filter((c) => c.accepted).length;
    const r = await skopeo([
      "copy",
      "--authfile",
      runnerConfigPath,
      "--dest-cert-dir",
      join(tmp, "certs"),
      `oci:${image.layout}:${image.tag}`,
      ref("e2e"),
    ]);
    expectSuccess(r);
    expect(fakeEcr!.calls.filter((c) => c.accepted).length).toBeGreaterThan(before);
    record("OK", "push via runner credHelpers (skopeo --authfile)", r);
  });

  it("pulls it back through the same config, layer digest intact", async () => {
    const pulled = join(tmp, "pulled-runner");
    const r = await skopeo(["copy", "--authfile", runnerConfigPath, "--src-cert-dir", join(tmp, "certs"), ref("e2e"), `oci:${pulled}:e2e`]);
    expectSuccess(r);
    expect(layoutLayerDigests(pulled)).toEqual([image.layerDigest]);
    record("OK", "pull via runner credHelpers, layer digest matches", r);
  });

  (hasDockerCli ? it : it.skip)(
    "the docker CLI with the CI image's credsStore config reads the pushed manifest through the helper",
    async () => {
      const before = fakeEcr!.calls.filter((c) => c.accepted).length;
      const r = await run("docker", ["manifest", "inspect", `${REGISTRY_HOST}/${REPOSITORY}:e2e`], {
        DOCKER_CONFIG: jobDockerConfigDir,
        SSL_CERT_FILE: pki.caCertPath, // the docker CLI then trusts the test CA only
      });
      expectSuccess(r);
      const manifest = JSON.parse(r.stdout) as { layers: { digest: string }[] };
      expect(manifest.layers.map((l) => l.digest)).toEqual([image.layerDigest]);
      expect(fakeEcr!.calls.filter((c) => c.accepted).length).toBeGreaterThan(before);
      record("OK", "docker CLI + job credsStore: manifest read", r);
    },
  );

  it("pushes and pulls with the CI image's credsStore config, resolved the way the docker CLI does", async () => {
    // skopeo ignores credsStore (checked), so apply docker's rule: credHelpers[host], else credsStore,
    // then ask docker-credential-<helper> for the host over the credential-helper protocol.
    const config = JSON.parse(readFileSync(join(jobDockerConfigDir, "config.json"), "utf8")) as {
      credsStore?: string;
      credHelpers?: Record<string, string>;
    };
    const helper = config.credHelpers?.[REGISTRY_HOST] ?? config.credsStore;
    expect(helper).toBe("ecr-login");
    const got = await run(`docker-credential-${helper}`, ["get"], {}, REGISTRY_HOST);
    expectSuccess(got);
    const { Username, Secret } = JSON.parse(got.stdout) as { Username: string; Secret: string };
    const authfile = join(tmp, "job-auth.json");
    writeFileSync(
      authfile,
      JSON.stringify({ auths: { [REGISTRY_HOST]: { auth: Buffer.from(`${Username}:${Secret}`).toString("base64") } } }),
      { mode: 0o600 },
    );

    const push = await skopeo([
      "copy",
      "--authfile",
      authfile,
      "--dest-cert-dir",
      join(tmp, "certs"),
      `oci:${image.layout}:${image.tag}`,
      ref("e2e-job"),
    ]);
    expectSuccess(push);
    const pulled = join(tmp, "pulled-job");
    const pull = await skopeo(["copy", "--authfile", authfile, "--src-cert-dir", join(tmp, "certs"), ref("e2e-job"), `oci:${pulled}:e2e`]);
    expectSuccess(pull);
    expect(layoutLayerDigests(pulled)).toEqual([image.layerDigest]);
    record("OK", "push+pull via job credsStore -> ecr-login", { ...pull, ms: got.ms + push.ms + pull.ms });
  });

  /**
   * The stack's pull-through cache keeps Docker's official images under
   * <host>/ecr-public/docker/library/<name>; the example pipeline pulls dind and the Docker CLI
   * image from there. The stand-in registry has no upstream, so the image is first put where the
   * cache would hold it (the CI image's base, mapped from public.ecr.aws), then read back through
   * the real helper: the nested path gets the same login as any other repository of the host.
   */
  it("pulls an image under the pull-through cache's nested path (ecr-public/docker/library/...) through the helper", async () => {
    const base = readCiImageDockerfile().baseImage;
    expect(base.registry).toBe("public.ecr.aws");
    const cachedPath = `ecr-public/${base.name}:${base.tag}`;
    expect(cachedPath).toMatch(/^ecr-public\/docker\/library\/docker:\d/);
    const cached = `docker://${REGISTRY_HOST}/${cachedPath}`;
    const seed = await skopeo([
      "copy",
      "--authfile",
      runnerConfigPath,
      "--dest-cert-dir",
      join(tmp, "certs"),
      `oci:${image.layout}:${image.tag}`,
      cached,
    ]);
    expectSuccess(seed);

    const before = fakeEcr!.calls.filter((c) => c.accepted).length;
    const pulled = join(tmp, "pulled-cache");
    const pull = await skopeo(["copy", "--authfile", runnerConfigPath, "--src-cert-dir", join(tmp, "certs"), cached, `oci:${pulled}:e2e`]);
    expectSuccess(pull);
    expect(layoutLayerDigests(pulled)).toEqual([image.layerDigest]);
    expect(fakeEcr!.calls.filter((c) => c.accepted).length).toBeGreaterThan(before);
    record("OK", "pull from the cache path via credHelpers", pull);

    const anonymous = await skopeo(["inspect", "--no-creds", "--cert-dir", join(tmp, "certs"), cached]);
    expect(anonymous.status).not.toBe(0);
    expect(anonymous.stderr).toMatch(/unauthorized|authentication required/i);

    if (hasDockerCli) {
      const r = await run("docker", ["manifest", "inspect", `${REGISTRY_HOST}/${cachedPath}`], {
        DOCKER_CONFIG: jobDockerConfigDir,
        SSL_CERT_FILE: pki.caCertPath,
      });
      expectSuccess(r);
      expect((JSON.parse(r.stdout) as { layers: { digest: string }[] }).layers.map((l) => l.digest)).toEqual([image.layerDigest]);
      record("OK", "docker CLI + job credsStore: cached path", r);
    }
  });

  it("refuses an anonymous push", async () => {
    const r = await skopeo([
      "copy",
      "--dest-no-creds",
      "--dest-cert-dir",
      join(tmp, "certs"),
      `oci:${image.layout}:${image.tag}`,
      ref("anonymous"),
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unauthorized|authentication required/i);
    record("REFUSED", "anonymous push", r, reason(r.stderr));
  });

  it("refuses an anonymous pull", async () => {
    const r = await skopeo(["inspect", "--no-creds", "--cert-dir", join(tmp, "certs"), ref("e2e")]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unauthorized|authentication required/i);
    record("REFUSED", "anonymous pull", r, reason(r.stderr));
  });

  it("refuses a push with a wrong token", async () => {
    const r = await skopeo([
      "copy",
      "--dest-creds",
      "AWS:not-the-token",
      "--dest-cert-dir",
      join(tmp, "certs"),
      `oci:${image.layout}:${image.tag}`,
      ref("wrong"),
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unauthorized|authentication required/i);
    record("REFUSED", "push with wrong token", r, reason(r.stderr));
  });

  it("gets no token, and cannot push, with credentials the (fake) ECR does not know", async () => {
    const other = { AWS_ACCESS_KEY_ID: "AKIAE2ETESTOTHERKEY9" };
    const before = fakeEcr!.calls.length;
    const r = await run("docker-credential-ecr-login", ["get"], other, REGISTRY_HOST);
    expect(r.status).not.toBe(0);
    expect(fakeEcr!.calls.slice(before).every((c) => !c.accepted && c.detail.startsWith("UnrecognizedClientException"))).toBe(true);
    expect(fakeEcr!.calls.length).toBeGreaterThan(before);
    record("REFUSED", "helper get with an unknown access key", r, "UnrecognizedClientException");

    const push = await skopeo(
      [
        "copy",
        "--authfile",
        runnerConfigPath,
        "--dest-cert-dir",
        join(tmp, "certs"),
        `oci:${image.layout}:${image.tag}`,
        ref("unknown-key"),
      ],
      other,
    );
    expect(push.status).not.toBe(0);
    record("REFUSED", "push via credHelpers with an unknown access key", push, reason(push.stderr));
  });

  it("gets no token with the right key id but a wrong secret (signature checked)", async () => {
    const before = fakeEcr!.calls.length;
    const r = await run("docker-credential-ecr-login", ["get"], { AWS_SECRET_ACCESS_KEY: "wrong-secret" }, REGISTRY_HOST);
    expect(r.status).not.toBe(0);
    expect(fakeEcr!.calls.slice(before).map((c) => c.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^InvalidSignatureException/)]),
    );
    record("REFUSED", "helper get with a wrong secret key", r, "InvalidSignatureException");
  });

  it("the fake ECR refuses an unsigned request", async () => {
    const t0 = Date.now();
    const address = readFileSync(hostsFile, "utf8")
      .split("\n")
      .find((l) => l.endsWith(` ${ECR_API_HOST}`))!
      .split(" ")[0]!;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: address,
          port: 443,
          servername: ECR_API_HOST,
          method: "POST",
          path: "/",
          ca: pki.caCert,
          agent: false,
          headers: { host: ECR_API_HOST, "x-amz-target": GET_AUTHORIZATION_TOKEN, "content-type": "application/x-amz-json-1.1" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(status).toBe(403);
    expect(fakeEcr!.calls[fakeEcr!.calls.length - 1]!.detail).toMatch(/^MissingAuthenticationTokenException/);
    steps.push({ outcome: "REFUSED", what: "unsigned GetAuthorizationToken", ms: Date.now() - t0, detail: "HTTP 403" });
  });

  it("ran against real tools, not stand-ins on PATH", () => {
    for (const [binary] of TOOLS) expect(findOnPath(binary)).toMatch(/^\/(usr\/)?s?bin\//);
  });
});
