/** Plain JSON, as events are stored (Postgres jsonb). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * JSON text with object keys sorted. jsonb does not keep key order, so values read back from the
 * log compare equal to what was written only in this form.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

/** Deep equality of JSON values, ignoring key order and undefined members. */
export function sameJson(a: unknown, b: unknown): boolean {
  // What comparing `canonicalJson` of both would say, without building the strings.
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, i) => sameJson(x ?? null, b[i] ?? null))
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false
    const keys = Object.keys(a).filter((k) => a[k] !== undefined)
    if (keys.length !== Object.keys(b).filter((k) => b[k] !== undefined).length) return false
    return keys.every((k) => b[k] !== undefined && sameJson(a[k], b[k]))
  }
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

/** A copy without the members whose value is undefined: what jsonb would give back. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

/**
 * Applies an RFC 7386 JSON Merge Patch: members of `patch` replace those of `target`, objects
 * merge recursively, `null` removes a member, arrays and scalars replace wholesale.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

export { isObject }
