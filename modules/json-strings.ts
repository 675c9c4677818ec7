/**
 * Every string inside a JSON-like value, with the path of keys and indices that leads to it, depth
 * first. Keys listed in `skipKeys` are not entered (cdk.tf.json's "//" metadata, say).
 */
export function jsonStrings(value: unknown, skipKeys: readonly string[] = [], path: readonly PropertyKey[] = []): [PropertyKey[], string][] {
  if (typeof value === "string") return [[[...path], value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => jsonStrings(v, skipKeys, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => (skipKeys.includes(k) ? [] : jsonStrings(v, skipKeys, [...path, k])));
  }
  return [];
}
