import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerfileParser } from "dockerfile-ast";
import { CI_IMAGE_DOCKERFILE, readCiImageDockerfile } from "../support/ci-image";
import { describeWithTools } from "../support/system-tools";

const image = readCiImageDockerfile();

describe("CI image Dockerfile (parsed)", () => {
  it("builds on the official docker CLI image, 29 series, from ECR Public by default, through a BASE_IMAGE build argument", () => {
    expect(image.baseImageArg).toBe("BASE_IMAGE");
    expect(image.baseImage).toMatchObject({
      ref: "public.ecr.aws/docker/library/docker:29.8.1-cli-alpine3.24",
      registry: "public.ecr.aws",
      name: "docker/library/docker",
      tag: "29.8.1-cli-alpine3.24",
    });
    expect(image.baseImage.tag).toMatch(/^29\.\d+\.\d+-cli-alpine3\.24$/);
    // a digest is optional; when present it must be a full sha256
    if (image.baseImage.digest !== null) expect(image.baseImage.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("records the base image's digest as a reproducible reference in a comment", () => {
    const comments = DockerfileParser.parse(readFileSync(CI_IMAGE_DOCKERFILE, "utf8"))
      .getComments()
      .map((c) => c.getContent())
      .join("\n");
    expect(comments).toContain("docker:29.8.1-cli-alpine3.24");
    expect(comments).toMatch(/sha256:[0-9a-f]{64}/);
  });

  it("installs the AWS CLI and the ECR helper from Alpine packages, pinned by upstream version with ~ (no -rN), without a package cache", () => {
    expect(image.apkPackages).toEqual({
      "aws-cli": "~2.34.63",
      "docker-credential-ecr-login": "~0.12.0",
    });
    for (const constraint of Object.values(image.apkPackages)) expect(constraint).toMatch(/^~\d+(\.\d+)+$/);
    expect(image.apkFlags).toContain("--no-cache");
  });

  it("writes /root/.docker/config.json = {credsStore: ecr-login} and nothing else", () => {
    expect(image.dockerConfigJson).toBeDefined();
    expect(JSON.parse(image.dockerConfigJson!)).toEqual({ credsStore: "ecr-login" });
  });

  it("runs RUN steps under pipefail", () => {
    expect(image.shell).toEqual(["/bin/ash", "-eo", "pipefail", "-c"]);
    expect(image.keywords.indexOf("SHELL")).toBeLessThan(image.keywords.indexOf("RUN"));
  });

  it("sets non-interactive AWS CLI defaults, lets docker login/logout pass through the helper, and carries no secret", () => {
    expect(image.env).toEqual({ AWS_PAGER: "", AWS_CLI_AUTO_PROMPT: "off", AWS_ECR_IGNORE_CREDS_STORAGE: "true" });
    // instructions only: the comments may explain logins, the build must not perform or store one
    expect(image.instructionsText).not.toMatch(/AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)|PASSWORD|"auths"|docker login/i);
  });

  it("carries OCI labels for source, version, revision and description", () => {
    expect(image.labels).toMatchObject({
      "org.opencontainers.image.source": "${IMAGE_SOURCE}",
      "org.opencontainers.image.version": "${IMAGE_VERSION}",
      "org.opencontainers.image.revision": "${IMAGE_REVISION}",
      "org.opencontainers.image.base.name": "${BASE_IMAGE}",
    });
    // without ARG after FROM, ${BASE_IMAGE} would be empty in the label
    expect(image.argsAfterFrom).toContain("BASE_IMAGE");
    expect(image.labels["org.opencontainers.image.description"]).toMatch(/ECR/);
  });
});

describe("CI image Dockerfile parser helper", () => {
  it("sees changes (so the assertions above can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ci-image-"));
    try {
      const other = join(dir, "Dockerfile");
      writeFileSync(
        other,
        "FROM docker:28.5.1\nRUN apk add curl aws-cli=1-r0 jq~1.8 && echo '{\"auths\":{}}' > /root/.docker/config.json\nENV AWS_SECRET_ACCESS_KEY=x\n",
      );
      const facts = readCiImageDockerfile(other);
      expect(facts.baseImage).toMatchObject({ registry: null, name: "docker", tag: "28.5.1" });
      expect(facts.baseImageArg).toBeNull();
      expect(facts.apkPackages).toEqual({ curl: "", "aws-cli": "=1-r0", jq: "~1.8" });
      expect(facts.instructionsText).toMatch(/AWS_SECRET_ACCESS_KEY/);
      expect(facts.apkFlags).toEqual([]);
      expect(JSON.parse(facts.dockerConfigJson!)).toEqual({ auths: {} });
      expect(facts.shell).toBeUndefined();

      writeFileSync(
        other,
        "# docker login and PASSWORD, in a comment\nARG BASE_IMAGE=registry.example.com/x/docker:1-cli@sha256:" +
          "b".repeat(64) +
          "\nFROM $BASE_IMAGE\n",
      );
      const viaArg = readCiImageDockerfile(other);
      expect(viaArg.baseImageArg).toBe("BASE_IMAGE");
      expect(viaArg.baseImage).toMatchObject({
        registry: "registry.example.com",
        name: "x/docker",
        tag: "1-cli",
        digest: `sha256:${"b".repeat(64)}`,
      });
      expect(viaArg.argsAfterFrom).toEqual([]);
      expect(viaArg.instructionsText).not.toMatch(/login|PASSWORD/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * dockerlinter runs shellcheck on every RUN step, but if `shellcheck` is missing it only logs the
 * error and reports no findings; hence the tool check and the bad Dockerfile that must produce a
 * shellcheck finding. It also writes temporary files into its working directory: run it in a temp dir.
 */
describeWithTools([["shellcheck", "shellcheck"]])("dockerlinter (with shellcheck)", () => {
  const bin = join(__dirname, "..", "..", "node_modules", ".bin", "dockerlinter");
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "dockerlinter-"));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  function lint(file: string): { code: string; lineNumber: number; message: string }[] {
    const r = spawnSync(bin, ["-f", file, "-j"], { cwd, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // -j prints a JSON array when there are findings and nothing at all when there are none
    return r.stdout.trim() === "" ? [] : JSON.parse(r.stdout);
  }

  it("reports no finding in docker/Dockerfile", () => {
    expect(lint(CI_IMAGE_DOCKERFILE)).toEqual([]);
  });

  it("does report findings, shellcheck's included, in a bad Dockerfile", () => {
    const bad = join(cwd, "bad.Dockerfile");
    writeFileSync(bad, "FROM alpine\nRUN apk add curl && echo $1 | grep x\n");
    const codes = lint(bad).map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(["EF0004", "ER0001", "ER0011", "ER0015", "SC2086"]));
  });
});
