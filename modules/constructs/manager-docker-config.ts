/**
 * How the runner manager logs in to ECR to pull job images, without any stored password.
 *
 * The gitlab-runner service runs as root, and for the docker executors it resolves a job image's
 * credentials itself (helpers/docker/auth in gitlab-runner), in this order, first match per
 * registry winning: DOCKER_AUTH_CONFIG from the job's variables, then `<home>/.docker/config.json`
 * of the process user (HOME, else the user's home: /root; DOCKER_CONFIG is not read), then the job
 * payload's credentials. We write `/root/.docker/config.json` at install time, because:
 *  - a DOCKER_AUTH_CONFIG in config.toml `environment` is replaced outright by any CI/CD variable of
 *    the same name in a project or group, so one project's variable would break ECR pulls;
 *  - since GitLab Runner 19.4 (and 19.3.2, 19.2.4, 19.1.3) helpers named by a job-supplied
 *    DOCKER_AUTH_CONFIG no longer run unless `allowed_docker_credential_helpers` lists them, which
 *    the module cannot set; the runner's own config.json is not job-supplied.
 *
 * Per-host `credHelpers`, never `credsStore`: with credsStore the runner asks the helper to list all
 * credentials, which ecr-login can only do for one default region and account. With credHelpers
 * the runner calls `get` for each listed host, and ecr-login takes the region and account from the
 * host name. The runner calls every listed helper on each pull and drops the whole file if one
 * fails, so list only hosts the manager role may pull from.
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
