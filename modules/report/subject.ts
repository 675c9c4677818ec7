import { IConstruct } from "constructs";
import type { RunnerFleet } from "../constructs/runner-fleet";

/** What the report is rendered from: the runners' constructs, seen through what they synthesize. */
export interface ReviewSubject {
  /** Any construct of the stack (for the backend block). */
  readonly scope: IConstruct;
  readonly accountId: string;
  readonly region: string;
  readonly ciImage: { readonly repositoryName: string; readonly repositoryArn: string };
  readonly ciImageUri: string;
  readonly cache: { readonly bucketName: string; readonly bucketArn: string };
  readonly applicationRepositories: readonly {
    readonly repository: { readonly repositoryName: string; readonly repositoryArn: string };
    readonly buildCache?: boolean;
  }[];
  readonly pullThroughCache: readonly {
    readonly rule: {
      readonly prefix: string;
      readonly upstream: string;
      readonly credentialArn?: string;
      readonly repositoryArnPattern: string;
    };
    readonly pull: readonly string[];
  }[];
  readonly fleets: readonly RunnerFleet[];
}
