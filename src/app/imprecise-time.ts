import edtf, { defaults, type ExtDateTime, type Interval, type List, parse } from 'edtf'
import type { FieldViolation } from '../domain/errors.js'
import { ValidationError } from '../domain/errors.js'
import {
  BOUND,
  type ImpreciseTime,
  isDateOrInstant,
  type Precision,
} from '../domain/values/imprecise-time.js'

/** An imprecise time as clients send it: the EDTF string and where it came from. */
export interface ImpreciseTimeInput {
  edtf: string
  phrase?: string
  relativeTo?: string
}

/** A time of day, with its precision read from how many parts it has. */
const TIME = /T\d{2}:\d{2}(?<seconds>:\d{2}(?<fraction>\.\d+)?)?(?<zone>Z|[+-]\d{2}(?::?\d{2})?)?/

/** How much later than its start a timed value of this precision ends. */
const SPAN: Partial<Record<Precision, number>> = { minute: 59_999, second: 999, millisecond: 0 }

function timePrecision(text: string): Precision {
  const m = TIME.exec(text)
  if (m?.groups?.fraction) return 'millisecond'
  return m?.groups?.seconds ? 'second' : 'minute'
}

function precisionOf(value: ExtDateTime, text: string): Precision {
  if (value.type === 'Date') {
    const datePart = value.precision ?? 0
    return datePart === 0 ? timePrecision(text) : (['year', 'month', 'day'] as const)[datePart - 1]!
  }
  return value.type === 'Year' ? 'year' : (value.type.toLowerCase() as Precision)
}

type Bounds = { earliest: number | null; latest: number | null }

/** Bounds of one date, widened to the end of its minute or second when it is timed. */
function dateBounds(value: ExtDateTime, text: string): Bounds {
  const span = value.type === 'Date' && !value.precision ? SPAN[timePrecision(text)]! : 0
  return { earliest: value.min, latest: value.max === null ? null : value.max + span }
}

/** An end of an interval: a date, `Infinity` for an open end (`..`), null for an unknown one. */
function endBounds(end: ExtDateTime | number | null, text: string): Bounds {
  return typeof end === 'object' && end !== null
    ? dateBounds(end, text)
    : { earliest: null, latest: null }
}

/**
 * Earliest and latest instants, in epoch ms; null at an open or unknown end. edtf's own min/max
 * cover only the first member of a one-of set, and throw or give ±Infinity at open ends.
 */
function boundsOf(value: ExtDateTime, text: string): Bounds {
  if (value.type === 'Interval') {
    const [from = '', to = ''] = text.split('/')
    const { lower, upper } = value as Interval
    return { earliest: endBounds(lower, from).earliest, latest: endBounds(upper, to).latest }
  }
  if (value.type === 'Set' || value.type === 'List') {
    const list = value as List
    const members = list.values.flatMap((m) => (Array.isArray(m) ? m : [m]))
    const mins = members.map((m) => m.min ?? Number.NaN)
    const maxes = members.map((m) => m.max ?? Number.NaN)
    return {
      earliest: list.earlier ? null : members.length ? Math.min(...mins) : Number.NaN,
      latest: list.later ? null : members.length ? Math.max(...maxes) : Number.NaN,
    }
  }
  return dateBounds(value, text)
}

function fail(field: string, rule: string, message: string): never {
  throw new ValidationError(`${field} is not valid: ${message}`, [{ field, rule, message }])
}

/** A bound as the domain writes it, or why it cannot be one. */
function toBound(ms: number | null, field: string): string | null {
  if (ms === null) return null
  const iso = Number.isFinite(ms) ? new Date(ms).toISOString() : ''
  if (!BOUND.test(iso)) fail(field, 'edtf-range', 'must lie within the years 0000 to 9999')
  return iso
}

type Parsed = Pick<ImpreciseTime, 'precision' | 'earliest' | 'latest'>

/**
 * EDTF texts already parsed, with their precision and bounds. The edtf grammar (nearley) is
 * the dearest step of a command, and the same dates come back often (a visit's period in each
 * of its engagements, retries); only valid texts are kept, at most 1,000.
 */
const parsed = new Map<string, Parsed>()

/** An EDTF text's precision and bounds; errors name `at`. */
function parseEdtf(text: string, at: string): Parsed {
  const known = parsed.get(text)
  if (known) return known
  const times = [...text.matchAll(new RegExp(TIME, 'g'))]
  if (times.some((m) => !m.groups?.zone))
    fail(at, 'edtf-format', 'a time of day needs its UTC offset, e.g. 2021-11-11T10:00:00+01:00')
  defaults.offset = 0 // edtf reads untimed values in the host's zone unless told UTC
  let value: ExtDateTime
  try {
    // parse first: edtf() alone reads five or more digits as a Unix timestamp.
    value = edtf(parse(text))
  } catch {
    return fail(at, 'edtf-format', `${JSON.stringify(text)} is not an EDTF date, interval or set`)
  }
  const bounds = boundsOf(value, text)
  const earliest = toBound(bounds.earliest, at)
  const latest = toBound(bounds.latest, at)
  if (earliest === null && latest === null) fail(at, 'period-unbounded', 'needs at least one bound')
  if (earliest !== null && latest !== null && earliest > latest)
    fail(at, 'period-order', 'ends before it starts')
  const result = { precision: precisionOf(value, text), earliest, latest }
  if (parsed.size >= 1_000) parsed.clear()
  parsed.set(text, result)
  return result
}

/**
 * Parses an EDTF string (ISO 8601-2) into the domain's `ImpreciseTime`, with its earliest and
 * latest instants in UTC. Dates without a time mean UTC days; a time of day must carry its UTC
 * offset (`2021-11-11T10:00:00+01:00`), since read as UTC it would silently shift. An open or
 * unknown end (`2023-02-05/..`, `[..2021-10-31]`) gives a null bound.
 *
 * @param field JSON pointer of the value in the command, e.g. `/engagement/period`; errors name
 *   `${field}/edtf` (rule `edtf-format` or `edtf-range`), `${field}/phrase` or `${field}/relativeTo`.
 * @throws ValidationError
 * @example parseImpreciseTime({ edtf: '[2021-10-23..2021-10-31]', phrase: 'later this month',
 *   relativeTo: '2021-10-22' }, '/window')
 */
export function parseImpreciseTime(input: ImpreciseTimeInput, field: string): ImpreciseTime {
  const text = input?.edtf
  const at = `${field}/edtf`
  if (typeof text !== 'string' || text.trim() === '') fail(at, 'required', 'is required')
  if (text.length > 100 || /\s/.test(text))
    fail(at, 'edtf-format', 'must be an EDTF string without spaces')
  const { precision, earliest, latest } = parseEdtf(text, at)
  const { phrase, relativeTo } = input
  if (
    phrase !== undefined &&
    (typeof phrase !== 'string' || phrase.trim() === '' || phrase.length > 300)
  )
    fail(`${field}/phrase`, 'required', 'must be the words of the source, up to 300 characters')
  if (relativeTo !== undefined && !isDateOrInstant(relativeTo))
    fail(`${field}/relativeTo`, 'date-format', 'must be a date (2021-10-22) or an RFC 3339 instant')
  return {
    edtf: text,
    precision,
    ...(phrase === undefined ? {} : { phrase }),
    ...(relativeTo === undefined ? {} : { relativeTo }),
    earliest,
    latest,
  }
}

/**
 * Replaces, anywhere in a command's data, each `{ edtf, phrase?, relativeTo? }` that has no
 * bounds yet with its parsed `ImpreciseTime`. Every bad value is reported in one
 * `ValidationError`, each under its JSON pointer (`/engagement/period/edtf`).
 */
export function resolveImpreciseTimes<T>(value: T, path = ''): T {
  const violations: FieldViolation[] = []
  const walk = (v: unknown, at: string): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}/${i}`))
    if (typeof v !== 'object' || v === null) return v
    const o = v as Record<string, unknown>
    if (typeof o.edtf === 'string' && !('earliest' in o)) {
      try {
        return parseImpreciseTime(o as unknown as ImpreciseTimeInput, at)
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error
        violations.push(...error.details)
        return v
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x, `${at}/${k}`)]))
  }
  const result = walk(value, path) as T
  if (violations.length > 0)
    throw new ValidationError(`${violations.map((x) => x.field).join(', ')} not valid`, violations)
  return result
}
