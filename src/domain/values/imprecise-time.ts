import type { Violations } from '../rules.js'
import { checkObject, checkOptionalText } from './text.js'

/** How precisely an imprecise time is known; the last four are EDTF's compound forms. */
export const PRECISIONS = [
  'year',
  'season',
  'month',
  'day',
  'minute',
  'second',
  'millisecond',
  'decade',
  'century',
  'interval',
  'set',
  'list',
] as const
export type Precision = (typeof PRECISIONS)[number]

/**
 * A time known only so precisely: an EDTF (ISO 8601-2) string, the phrase it came from and the
 * date that phrase was relative to, and the earliest and latest instants it can mean.
 *
 * Bounds are ISO instants in UTC with milliseconds (`2021-11-30T23:59:59.999Z`), so they sort
 * as text. A bound is null at an open or unknown end (`2023-02-05/..`): unbounded on that side.
 * Values are built by `parseImpreciseTime` in `src/app`; the domain only checks their shape.
 */
export interface ImpreciseTime {
  edtf: string
  precision: Precision
  /** The words of the source, e.g. "later this month". */
  phrase?: string
  /** What the phrase was relative to: a date (`2021-10-22`) or an instant. */
  relativeTo?: string
  earliest: string | null
  latest: string | null
}

/** The characters EDTF is written in; the grammar itself is the parser's (src/app) to check. */
const EDTF_CHARACTERS = /^[0-9XYESTZ?~%./:+,[\]{}-]{1,100}$/

/** An instant as the bounds write it: UTC, milliseconds, four-digit year. */
export const BOUND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
/** A calendar date or an RFC 3339 instant with a zone. */
const DATE_OR_INSTANT =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/

/** True for a date (`2021-10-22`) or an RFC 3339 instant that denotes a real time. */
export function isDateOrInstant(value: unknown): value is string {
  return (
    typeof value === 'string' && DATE_OR_INSTANT.test(value) && !Number.isNaN(Date.parse(value))
  )
}

function checkBound(v: Violations, value: unknown, field: string): boolean {
  return v.check(
    value === null ||
      (typeof value === 'string' && BOUND.test(value) && !Number.isNaN(Date.parse(value))),
    field,
    'instant-format',
    'must be a UTC instant such as 2021-11-01T00:00:00.000Z, or null at an open end',
  )
}

/** Checks the shape of an imprecise time (not its EDTF grammar: that is the parser's job). */
export function checkImpreciseTime(
  v: Violations,
  value: unknown,
  field: string,
): value is ImpreciseTime {
  if (!checkObject(v, value, field)) return false
  const t = value as Partial<ImpreciseTime>
  const ok = [
    v.check(
      typeof t.edtf === 'string' && EDTF_CHARACTERS.test(t.edtf),
      `${field}/edtf`,
      'edtf-format',
      'must be an EDTF string such as 2021-11 or [2021-10-23..2021-10-31]',
    ),
    v.check(
      PRECISIONS.includes(t.precision as Precision),
      `${field}/precision`,
      'one-of',
      `must be one of ${PRECISIONS.join(', ')}`,
    ),
    checkOptionalText(v, t.phrase, `${field}/phrase`),
    v.check(
      t.relativeTo === undefined || isDateOrInstant(t.relativeTo),
      `${field}/relativeTo`,
      'date-format',
      'must be a date (2021-10-22) or an RFC 3339 instant',
    ),
    checkBound(v, t.earliest, `${field}/earliest`),
    checkBound(v, t.latest, `${field}/latest`),
  ].every(Boolean)
  if (!ok) return false
  const earliest = t.earliest ?? null
  const latest = t.latest ?? null
  return (
    v.check(
      earliest !== null || latest !== null,
      field,
      'period-unbounded',
      'needs at least one bound',
    ) &&
    v.check(
      earliest === null || latest === null || earliest <= latest,
      field,
      'period-order',
      'ends before it starts',
    )
  )
}

/** True when every instant `inner` can mean lies within what `outer` can mean. */
export function within(inner: ImpreciseTime, outer: ImpreciseTime): boolean {
  const startsInside =
    outer.earliest === null || (inner.earliest !== null && inner.earliest >= outer.earliest)
  const endsInside =
    outer.latest === null || (inner.latest !== null && inner.latest <= outer.latest)
  return startsInside && endsInside
}

/** The same time, ignoring the phrase it was given in. */
export function sameTime(a: ImpreciseTime, b: ImpreciseTime): boolean {
  return a.edtf === b.edtf && a.earliest === b.earliest && a.latest === b.latest
}

/** Epoch milliseconds of the start of a date, or of an RFC 3339 instant. */
export function epochOf(dateOrInstant: string): number {
  return Date.parse(dateOrInstant.length === 10 ? `${dateOrInstant}T00:00:00Z` : dateOrInstant)
}

/**
 * The same moment written as a bound (UTC, milliseconds). `new Date(ms)` converts a given
 * instant; it reads no clock.
 */
export function toBound(dateOrInstant: string): string {
  return new Date(epochOf(dateOrInstant)).toISOString()
}
