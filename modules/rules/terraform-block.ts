import { IConstruct } from "constructs";
import { DefaultTokenResolver, StringConcat, TerraformModule, TerraformResource, TerraformStack, Tokenization } from "cdktf";

/** `value` with every token resolved as in cdk.tf.json (references become "${…}" strings). */
export function resolveInStack(scope: IConstruct, value: unknown): any {
  return Tokenization.resolve(value, { scope: TerraformStack.of(scope), preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/** Attributes of a resource or module block as they will appear in cdk.tf.json (tokens resolved). */
export function resolvedAttributes(element: TerraformResource | TerraformModule): Record<string, any> {
  const json = resolveInStack(element, element.toTerraform()) as Record<string, Record<string, Record<string, any>>>;
  const blocks = element instanceof TerraformModule ? json.module : Object.values(json.resource ?? {})[0];
  return Object.values(blocks ?? {})[0] ?? {};
}

/** The construct as a resource of `type` (e.g. "aws_s3_bucket"), or undefined. */
export function asResource(node: IConstruct, type: string): TerraformResource | undefined {
  return TerraformResource.isTerraformResource(node) && (node as TerraformResource).terraformResourceType === type
    ? (node as TerraformResource)
    : undefined;
}

/** Every resource of `type` in the stack of `node`, with its resolved attributes. */
export function resourcesInStack(node: IConstruct, type: string): { resource: TerraformResource; attributes: Record<string, any> }[] {
  return TerraformStack.of(node)
    .node.findAll()
    .flatMap((n) => {
      const resource = asResource(n, type);
      return resource ? [{ resource, attributes: resolvedAttributes(resource) }] : [];
    });
}

/** Whether `value` (an attribute such as `bucket`) points at `bucket`: a reference to it or its literal name. */
export function refersTo(value: unknown, bucket: TerraformResource, bucketName: unknown): boolean {
  if (typeof value !== "string") return false;
  const address = `${bucket.terraformResourceType}.${bucket.friendlyUniqueId}`;
  return value === bucketName || new RegExp(`^\\$\\{${address.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(id|bucket)\\}$`).test(value);
}
