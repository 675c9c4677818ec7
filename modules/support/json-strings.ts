/** A string found inside a JSON-like value: an object key, or a string value. */
export interface JsonText {
  /** Keys and indices leading to it; for a key, the path ends with the key itself. */
  readonly path: readonly PropertyKey[];
  readonly text: string;
  readonly isKey: boolean;
}

/**
 * Every object key and string value inside a JSON-like value, depth first, in document order.
 * Keys listed in `skipKeys` are not entered (cdk.tf.json's "//" metadata, say). Iterative, so a
 * hostile nesting depth cannot overflow the stack.
 */
export function jsonTexts(value: unknown, skipKeys: readonly string[] = []): JsonText[] {
  const out: JsonText[] = [];
  // A value to enter, or a key to report when its entry is reached (just before its value).
  type Item =
    { readonly value: unknown; readonly path: readonly PropertyKey[] } | { readonly key: string; readonly path: readonly PropertyKey[] };
  const pending: Item[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if ("key" in item) {
      out.push({ path: item.path, text: item.key, isKey: true });
      continue;
    }
    const { value: v, path } = item;
    if (typeof v === "string") {
      out.push({ path, text: v, isKey: false });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) pending.push({ value: v[i], path: [...path, i] });
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).filter(([k]) => !skipKeys.includes(k));
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i]!;
        pending.push({ value: child, path: [...path, k] }, { key: k, path: [...path, k] });
      }
    }
  }
  return out;
}

/** Every string value inside a JSON-like value with its path (keys excluded). */
export function jsonStrings(value: unknown, skipKeys: readonly string[] = []): [PropertyKey[], string][] {
  return jsonTexts(value, skipKeys)
    .filter((t) => !t.isKey)
    .map((t) => [[...t.path], t.text]);
}

/** How deeply objects and arrays nest inside `value` (a scalar is 0), without recursion. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return deepest;
}
