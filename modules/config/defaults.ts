/**
 * Every default of the configuration, declared once: the schema fills them in for configuration
 * files, and the constructs apply the same values when a library user leaves a prop out.
 */
export const DEFAULTS = {
  runnerVersion: "19.4.0",
  ciImage: { keepTaggedImages: 30, untaggedExpiryDays: 1, encryption: "AES256" as "AES256" | "KMS" },
  cache: { expirationDays: 14, shareBetweenFleets: false },
  /** IMDSv2 hop limit where job containers run. */
  jobHopLimit: 2,
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
