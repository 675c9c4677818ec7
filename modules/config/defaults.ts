/**
 * Every default of the configuration, declared once: the schema fills them in for configuration
 * files, and the constructs apply the same values when a library user leaves a prop out.
 */
export const DEFAULTS = {
  /**
   * GitLab Runner release installed on the managers: 19.5.2, the newest release verified (the
   * project's DEVELOPERS.md key facts). Change it here; the module installs gitlab-runner-<version>.
   */
  runnerVersion: "19.5.2",
  ciImage: { keepTaggedImages: 30, untaggedExpiryDays: 1, encryption: "AES256" as "AES256" | "KMS" },
  cache: { expirationDays: 14, shareBetweenFleets: false },
  /** IMDSv2 hop limit where job containers run. */
  jobHopLimit: 2,
  /** Lets `destroy` delete the cache bucket and the created repositories with their contents. */
  forceDestroy: false,
  fleet: { maxConcurrentJobs: 4, managerInstanceType: "t3.medium" },
  workers: {
    instanceTypes: ["m6i.large"] as readonly string[],
    maxInstances: 10,
    idleCount: 0,
    idleTimeMinutes: 30,
    spot: false,
    rootVolumeGiB: 30,
    maxJobsPerInstance: 1,
  },
} as const;

/**
 * The first release of each GitLab Runner line that gates credential helpers named by a
 * job-supplied DOCKER_AUTH_CONFIG behind allowed_docker_credential_helpers (19.4.0, backported to
 * 19.3.2, 19.2.4 and 19.1.3). Earlier releases run whatever helper a job names, on the manager.
 */
export const CREDENTIAL_HELPER_ALLOWLIST_RELEASES = ["19.4.0", "19.3.2", "19.2.4", "19.1.3"] as const;

/** Whether a GitLab Runner release has the credential-helper allowlist. */
export function hasCredentialHelperAllowlist(version: string): boolean {
  if (!/^\d+\.\d+\.\d+$/.test(version)) return true; // the release format is checked on its own
  const [major, minor, patch] = version.split(".").map(Number) as [number, number, number];
  if (major !== 19) return major > 19;
  const fixed = CREDENTIAL_HELPER_ALLOWLIST_RELEASES.map((r) => r.split(".").map(Number)).find(([, m]) => m === minor);
  return fixed === undefined ? minor > 4 : patch >= fixed[2]!;
}

/** The cache bucket's name when cache.bucketName is left out: unique per stack, account and region. */
export function defaultCacheBucketName(stackName: string, accountId: string, region: string): string {
  return `${stackName}-cache-${accountId}-${region}`;
}
