import { Construct } from "constructs";
import { PrivateEcrRepository, PrivateEcrRepositoryProps } from "./private-ecr-repository";

export interface CiImageRepositoryProps extends PrivateEcrRepositoryProps {
  /** Tag of the image the runners use by default. Exactly one of tag and digest. */
  readonly tag?: string;
  /** `sha256:…` digest of the image the runners use by default. Exactly one of tag and digest. */
  readonly digest?: string;
}

/**
 * The repository of the CI image (docker + awscli + ECR credential helper) that the runners use as
 * their default job image, and the exact reference of that image.
 */
export class CiImageRepository extends PrivateEcrRepository {
  /** The runners' default image: `<host>/<name>:<tag>` or `<host>/<name>@sha256:…`. */
  readonly imageUri: string;

  constructor(scope: Construct, id: string, props: CiImageRepositoryProps) {
    super(scope, id, props);
    if ((props.tag === undefined) === (props.digest === undefined)) {
      throw new Error(`${this.node.path}: set exactly one of tag or digest`);
    }
    this.imageUri = props.digest !== undefined ? `${this.repositoryUrl}@${props.digest}` : `${this.repositoryUrl}:${props.tag}`;
  }
}
