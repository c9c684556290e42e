/** An RFC 6902 JSON Patch operation (the kinds a diff needs). */
export type PatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown }

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** RFC 6901: `~` and `/` in a member name are escaped. */
const pointer = (path: string, key: string | number) =>
  `${path}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`

/**
 * The JSON Patch that turns `before` into `after`: objects member by member, arrays item by
 * item (a shorter array loses its tail from the end, so the patch applies in order), anything
 * else replaced whole. Not minimal for moved items; exact.
 */
export function jsonDiff(before: unknown, after: unknown, path = ''): PatchOperation[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return []
  if (isObject(before) && isObject(after)) {
    const ops: PatchOperation[] = []
    for (const key of Object.keys(before))
      if (!(key in after) || after[key] === undefined) {
        if (before[key] !== undefined) ops.push({ op: 'remove', path: pointer(path, key) })
      } else ops.push(...jsonDiff(before[key], after[key], pointer(path, key)))
    for (const key of Object.keys(after))
      if ((!(key in before) || before[key] === undefined) && after[key] !== undefined)
        ops.push({ op: 'add', path: pointer(path, key), value: after[key] })
    return ops
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const ops: PatchOperation[] = []
    const common = Math.min(before.length, after.length)
    for (let i = 0; i < common; i++) ops.push(...jsonDiff(before[i], after[i], pointer(path, i)))
    for (let i = common; i < after.length; i++)
      ops.push({ op: 'add', path: pointer(path, i), value: after[i] })
    for (let i = before.length - 1; i >= common; i--)
      ops.push({ op: 'remove', path: pointer(path, i) })
    return ops
  }
  return [{ op: 'replace', path, value: after }]
}
