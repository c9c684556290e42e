import type { ImpreciseTime } from '../../domain/values/imprecise-time.js'

/**
 * How an itinerary item's time can be shown: `timed` at a time of day (in the place's zone),
 * `days` on whole known days, or `imprecise` somewhere within its bounds (a month, a window,
 * an uncertain date, an open end).
 */
export type Timing = 'timed' | 'days' | 'imprecise'

const DAY_INTERVAL = /^\d{4}-\d{2}-\d{2}\/\d{4}-\d{2}-\d{2}$/
const TIME_OF_DAY = /T\d{2}:\d{2}/
const QUALIFIED = /[?~%]/

/** Classifies a time by how precisely it is known. */
export function timingOf(time: ImpreciseTime): Timing {
  if (time.earliest === null || time.latest === null || QUALIFIED.test(time.edtf))
    return 'imprecise'
  if (['minute', 'second', 'millisecond'].includes(time.precision)) return 'timed'
  if (time.precision === 'interval' && TIME_OF_DAY.test(time.edtf) && !time.edtf.includes('['))
    return 'timed'
  if (time.precision === 'day' || (time.precision === 'interval' && DAY_INTERVAL.test(time.edtf)))
    return 'days'
  return 'imprecise'
}

/** A wall-clock reading in a time zone, with the zone's offset from UTC at that instant. */
export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  offsetMinutes: number
}

/** A formatter for `timeZone` that gives every field and the offset (`GMT+01:00`). */
export function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    timeZoneName: 'longOffset',
  })
}

/** The wall clock in the formatter's zone at `ms` (epoch milliseconds); reads no clock. */
export function wallClock(ms: number, format: Intl.DateTimeFormat): WallClock {
  const parts = format.formatToParts(new Date(ms))
  const num = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const zone = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(zone)
  const offsetMinutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0
  const { year, month, day, hour, minute, second } = {
    year: num('year'),
    month: num('month'),
    day: num('day'),
    hour: num('hour'),
    minute: num('minute'),
    second: num('second'),
  }
  return { year, month, day, hour, minute, second, offsetMinutes }
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0')

/** `+01:00` for 60 minutes; `separator` '' gives iCalendar's `+0100`. */
export function offsetText(minutes: number, separator = ':'): string {
  return `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(minutes) / 60))}${separator}${pad(Math.abs(minutes) % 60)}`
}

// Creating a formatter costs far more than using one: folds show times in a few zones, often.
const formats = new Map<string, Intl.DateTimeFormat>()
function formatFor(timeZone: string): Intl.DateTimeFormat {
  const known = formats.get(timeZone)
  if (known) return known
  const format = wallClockFormat(timeZone)
  formats.set(timeZone, format)
  return format
}

/** The instant as local time with its offset, e.g. `2021-11-10T15:00:00+01:00`. */
export function localTime(instant: string, timeZone: string): string {
  const c = wallClock(Date.parse(instant), formatFor(timeZone))
  const date = `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}`
  return `${date}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${offsetText(c.offsetMinutes)}`
}
