import fc from 'fast-check'

/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document, for the subset the
 * TypeBox schemas of the API use: objects (properties, required, additionalProperties,
 * minProperties), arrays (items, minItems, maxItems, uniqueItems), strings (minLength,
 * maxLength, pattern, enum, format uuid and date-time), integers (minimum, maximum) and
 * booleans. An unknown keyword fails loudly, so that a new kind of schema is not fuzzed
 * half-heartedly. (The npm generators were looked at: json-schema-fast-check is tied to
 * fast-check 1 and unmaintained, openapi-fuzzer-core is not built on fast-check.)
 */
export interface Schema {
  type?: string
  enum?: unknown[]
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  items?: Schema
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  minProperties?: number
  default?: unknown
}

/** Keywords that only document. */
const ANNOTATIONS = new Set(['description', 'title', 'example', 'examples', 'default', '$id'])
const UNDERSTOOD = new Set([
  'type',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
])

/** Longest generated free text: long strings are the mutations' business. */
const TEXT = 24

// Whole lines of prose with letters of many scripts, combining marks and emoji: valid text.
const prose = fc.string({ unit: 'grapheme', minLength: 1, maxLength: TEXT })

function check(schema: Schema): void {
  for (const key of Object.keys(schema))
    if (!UNDERSTOOD.has(key) && !ANNOTATIONS.has(key))
      throw new Error(`openapi-arbitraries: the keyword ${key} is not supported`)
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]))
  if (schema.format === 'uuid') return fc.uuid()
  if (schema.format === 'date-time')
    return fc
      .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString())
  const min = schema.minLength ?? 0
  const max = schema.maxLength ?? Number.POSITIVE_INFINITY
  if (schema.pattern)
    return fc
      .stringMatching(new RegExp(schema.pattern), { size: 'xsmall' })
      .filter((s) => s.length >= min && s.length <= max)
  const free = fc.oneof(
    fc.string({ minLength: min, maxLength: Math.min(max, TEXT) }),
    prose.filter((s) => s.length >= min && s.length <= max),
  )
  return free
}

/** Values that conform to `schema`. */
export function valid(schema: Schema): fc.Arbitrary<unknown> {
  check(schema)
  if (schema.enum) return fc.constantFrom(...schema.enum)
  switch (schema.type) {
    case 'string':
      return stringOf(schema)
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? Number.MIN_SAFE_INTEGER,
        max: schema.maximum ?? Number.MAX_SAFE_INTEGER,
      })
    case 'boolean':
      return fc.boolean()
    case 'array': {
      const items = valid(schema.items ?? {})
      const constraints = {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      }
      return schema.uniqueItems
        ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) })
        : fc.array(items, constraints)
    }
    case 'object': {
      const properties = schema.properties ?? {}
      const names = Object.keys(properties)
      if (names.length === 0 && schema.additionalProperties !== false)
        return fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.jsonValue({ maxDepth: 2 }),
          {
            minKeys: Math.max(schema.minProperties ?? 0, 0),
            maxKeys: 4,
          },
        )
      const model = Object.fromEntries(names.map((n) => [n, valid(properties[n]!)]))
      const record = fc.record(model, { requiredKeys: schema.required ?? [] })
      const least = schema.minProperties ?? 0
      return least > 0 ? record.filter((o) => Object.keys(o).length >= least) : record
    }
    default:
      throw new Error(`openapi-arbitraries: the type ${schema.type} is not supported`)
  }
}

/**
 * Strings that often break things: empty and blank, control characters, NUL, lone surrogates,
 * right-to-left and zero-width marks, emoji, SQL and script injection, path tricks, a number
 * or JSON where text is expected, and text over a limit.
 */
export const hostileStrings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u202eevil\u202c',
    '\u200b',
    '\ufeff',
    '👩‍👩‍👧‍👦🇫🇷',
    'Ω≈ç√∫˜µ≤≥÷',
    'Z̤͔ͧ̑̓ä͖̭̈̇l͖͎g̞̥͈ͮ̒o͚̞',
    "'; drop table events; --",
    "' or '1'='1",
    '1; select pg_sleep(10)',
    '$1',
    '%00',
    '%',
    '%E0%A4%A',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '{{7*7}}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, as text
    '${jndi:ldap://x}',
    '__proto__',
    'constructor',
    'null',
    'NaN',
    '-0',
    '1e309',
    '99999999999999999999999999',
    '{"a":1}',
    '[]',
    'Q0',
    'GB\n',
    '2021-13-45',
    '0000-00-00T00:00:00Z',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat({ max: 30_000 }).map((n) => 'x'.repeat(n)),
)

/** Values of every JSON type, extreme numbers included: for "the wrong type" mutations. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -0,
    -1,
    1.5,
    2 ** 53 + 1,
    -(2 ** 63),
    1e308,
    -1e308,
    5e-324,
    [],
    {},
    [null],
    { $ne: null },
  ),
  hostileStrings,
  fc.jsonValue({ maxDepth: 3 }),
)

/** The JSON-pointer-like paths of every member and element of a value, the root included. */
export function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at]
  if (Array.isArray(value))
    for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...at, i]))
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]))
  return out
}

/** A copy of `value` with `path` replaced by `replace(old)`, or removed when it gives `REMOVE`. */
export const REMOVE = Symbol('remove')
export function edit(
  value: unknown,
  path: (string | number)[],
  replace: (old: unknown) => unknown,
): unknown {
  if (path.length === 0) return replace(value)
  const [head, ...rest] = path
  if (Array.isArray(value)) {
    const copy = [...value]
    const next = edit(copy[head as number], rest, replace)
    if (next === REMOVE) copy.splice(head as number, 1)
    else copy[head as number] = next
    return copy
  }
  const copy = { ...(value as Record<string, unknown>) }
  const next = edit(copy[head as string], rest, replace)
  if (next === REMOVE) delete copy[head as string]
  else setOwn(copy, head as string, next)
  return copy
}

/** Sets an own member, `__proto__` included (plain assignment would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}
