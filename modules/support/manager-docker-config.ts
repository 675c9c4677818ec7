/**
 * The runner manager's ECR login: `/root/.docker/config.json` with per-host `credHelpers`, written
 * before the runner starts. docs/ecr-login.md says why this file, why credHelpers, and why not
 * DOCKER_AUTH_CONFIG. The runner calls every listed helper on each pull and drops the whole file if
 * one fails, so list only hosts the manager may pull from.
 */

/** The credHelpers document for the given registry hosts (sorted, deduplicated). */
export function credHelpersConfig(registryHosts: readonly string[]): { credHelpers: Record<string, "ecr-login"> } {
  const hosts = [...new Set(registryHosts)].sort();
  return { credHelpers: Object.fromEntries(hosts.map((h) => [h, "ecr-login" as const])) };
}

/** Path of the Docker client configuration the gitlab-runner service (root) reads. */
export const RUNNER_DOCKER_CONFIG_PATH = "/root/.docker/config.json";

/**
 * Shell for `runner_install.pre_install_script`. Module 9.5.2's template/gitlab-runner.tftpl runs
 * it (line 151) after writing config.toml and before `yum install gitlab-runner-<version>` (lines
 * 297-305), whose package scripts start the service: so the runner never picks up a job without
 * its ECR login. The helper binary (amazon_ecr_credential_helper) is installed after this script,
 * also before the runner starts; the runner reads config.json on each image pull. The file is
 * created 0600 in a 0700 directory before anything is written into it.
 */
export function credHelpersInstallScript(registryHosts: readonly string[]): string {
  const json = JSON.stringify(credHelpersConfig(registryHosts));
  return [
    "# gitlab-runner-ecr: ECR logins for job images, through the instance role (no stored password)",
    "install -d -m 0700 /root/.docker",
    `install -m 0600 /dev/null ${RUNNER_DOCKER_CONFIG_PATH}`,
    `cat > ${RUNNER_DOCKER_CONFIG_PATH} <<'GITLAB_RUNNER_ECR_EOF'`,
    json,
    "GITLAB_RUNNER_ECR_EOF",
    "",
  ].join("\n");
}

/** Reads the hosts back out of a script made by credHelpersInstallScript (for tests and reports). */
export function parseCredHelpersInstallScript(script: string): Record<string, string> {
  const match = /<<'GITLAB_RUNNER_ECR_EOF'\n(.*)\nGITLAB_RUNNER_ECR_EOF/s.exec(script);
  if (!match) throw new Error("no credHelpers document in the install script");
  return (JSON.parse(match[1]!) as { credHelpers: Record<string, string> }).credHelpers;
}
