import { IConstruct } from "constructs";
import {
  DefaultTokenResolver,
  StringConcat,
  TerraformElement,
  TerraformModule,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from "cdktf";

/** A construct that synthesizes to Terraform, with what it contributes to cdk.tf.json. */
export interface TerraformBlock {
  readonly node: TerraformElement;
  /** The resource type (e.g. "aws_s3_bucket") for a resource; undefined for anything else. */
  readonly resourceType?: string;
  /** Attributes of a resource or module block, tokens resolved; {} for other elements. */
  readonly attributes: Record<string, any>;
  /** The element's whole fragment of cdk.tf.json, tokens resolved. */
  readonly json: unknown;
}

function resolveInStack(scope: IConstruct, value: unknown): any {
  return Tokenization.resolve(value, {
    scope: TerraformStack.of(scope),
    preparing: false,
    resolver: new DefaultTokenResolver(new StringConcat()),
  });
}

/** The Terraform block of `node` as it will be synthesized, or undefined if it synthesizes nothing. */
export function terraformBlock(node: IConstruct): TerraformBlock | undefined {
  if (!TerraformElement.isTerraformElement(node)) return undefined;
  const element = node as TerraformElement;
  const json = resolveInStack(element, element.toTerraform()) as Record<string, Record<string, Record<string, any>>>;
  const resourceType = TerraformResource.isTerraformResource(element) ? (element as TerraformResource).terraformResourceType : undefined;
  const blocks = element instanceof TerraformModule ? json.module : resourceType !== undefined ? json.resource?.[resourceType] : undefined;
  return { node: element, resourceType, attributes: Object.values(blocks ?? {})[0] ?? {}, json };
}

/** Every resource block of `type` in the stack of `node`. */
export function resourcesInStack(node: IConstruct, type: string): TerraformBlock[] {
  return TerraformStack.of(node)
    .node.findAll()
    .filter((n) => TerraformResource.isTerraformResource(n) && (n as TerraformResource).terraformResourceType === type)
    .map((n) => terraformBlock(n)!);
}

/** Whether `value` (an attribute such as `bucket`) names `bucket`: a reference to it or its literal name. */
export function refersTo(value: unknown, bucket: TerraformBlock): boolean {
  if (typeof value !== "string") return false;
  const address = `${bucket.resourceType}.${bucket.node.friendlyUniqueId}`;
  return value === bucket.attributes.bucket || value === `\${${address}.id}` || value === `\${${address}.bucket}`;
}
