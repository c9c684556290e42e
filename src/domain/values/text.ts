import type { Violations } from '../rules.js'

/** Names, titles, offices: one line of text. */
export const SHORT_TEXT = 300
/** Readouts, rationales, descriptions, quotes. */
export const LONG_TEXT = 20_000

/** Ids that come in with commands: a UUID, a slug, or any short token without spaces. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

/** Checks a required, non-blank string of at most `max` characters. */
export function checkText(v: Violations, value: unknown, field: string, max = SHORT_TEXT): boolean {
  if (!v.check(typeof value === 'string' && value.trim() !== '', field, 'required', 'is required'))
    return false
  return v.check(
    (value as string).length <= max,
    field,
    'text-too-long',
    `is longer than ${max} characters`,
  )
}

/** Like `checkText`, for a field that may be absent. */
export const checkOptionalText = optional(checkText)

/** Checks an id given with a command (visitId, engagementId, …). */
export function checkId(v: Violations, value: unknown, field: string): boolean {
  if (!v.check(value !== undefined && value !== '', field, 'required', 'is required')) return false
  return v.check(
    typeof value === 'string' && ID.test(value),
    field,
    'id-format',
    'must be 1 to 128 letters, digits, or . _ : - and start with a letter or digit',
  )
}

/** Checks that the value is one of `allowed`. */
export function checkOneOf<T extends string>(
  v: Violations,
  value: unknown,
  allowed: readonly T[],
  field: string,
): value is T {
  return v.check(
    allowed.includes(value as T),
    field,
    'one-of',
    `must be one of ${allowed.join(', ')}`,
  )
}

/** Checks a list of short texts (topics, agreements); `required` wants at least one. */
export function checkTexts(
  v: Violations,
  value: unknown,
  field: string,
  required = false,
): boolean {
  if (value === undefined && !required) return true
  if (!v.check(Array.isArray(value), field, 'required', 'must be a list')) return false
  const list = value as unknown[]
  if (required && !v.check(list.length > 0, field, 'required', 'needs at least one entry'))
    return false
  return list.map((item, i) => checkText(v, item, `${field}/${i}`)).every(Boolean)
}

/** Checks each item of an optional list with `each`, which reports under `${field}/${i}`. */
export function checkEach(
  v: Violations,
  value: unknown,
  field: string,
  each: (item: unknown, itemField: string) => void,
): void {
  if (value === undefined) return
  if (!v.check(Array.isArray(value), field, 'required', 'must be a list')) return
  for (const [i, item] of (value as unknown[]).entries()) each(item, `${field}/${i}`)
}

/** Checks that a required field holds an object, so that its members can be checked. */
export function checkObject(
  v: Violations,
  value: unknown,
  field: string,
): value is Record<string, unknown> {
  return v.check(typeof value === 'object' && value !== null, field, 'required', 'is required')
}

/** The check `check` for a field that may be absent. */
export function optional<Rest extends unknown[]>(
  check: (v: Violations, value: unknown, field: string, ...rest: Rest) => boolean,
) {
  return (v: Violations, value: unknown, field: string, ...rest: Rest): boolean =>
    value === undefined || check(v, value, field, ...rest)
}
