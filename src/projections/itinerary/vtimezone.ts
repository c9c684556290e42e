import { offsetText, wallClock, wallClockFormat } from './timing.js'

const DAY = 86_400_000
const MINUTE = 60_000

interface Transition {
  at: number
  from: number
  to: number
}

/**
 * The offset changes of a zone between two instants, to the minute. Steps a day at a time and
 * then bisects, so it assumes at most one change a day (true of every zone in use).
 */
function transitions(timeZone: string, from: number, to: number): Transition[] {
  const format = wallClockFormat(timeZone)
  const offset = (ms: number) => wallClock(ms, format).offsetMinutes
  const found: Transition[] = []
  for (let day = from; day < to; day += DAY) {
    const [a, b] = [offset(day), offset(day + DAY)]
    if (a === b) continue
    let [lo, hi] = [day, day + DAY]
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE
      if (offset(mid) === a) lo = mid
      else hi = mid
    }
    found.push({ at: hi, from: a, to: b })
  }
  return found
}

/** A local date-time for DTSTART, from an instant and the offset in force before it. */
function local(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, 19).replace(/[-:]/g, '')
}

function observance(kind: 'STANDARD' | 'DAYLIGHT', start: string, from: number, to: number) {
  return [
    `BEGIN:${kind}`,
    `DTSTART:${start}`,
    `TZOFFSETFROM:${offsetText(from, '')}`,
    `TZOFFSETTO:${offsetText(to, '')}`,
    `END:${kind}`,
  ]
}

/**
 * A VTIMEZONE (RFC 5545 §3.6.5) for an IANA zone over the given years, from the runtime's zone
 * data: one observance for the offset in force on 1 January of the first year, then one per
 * change. Observances to a larger offset are DAYLIGHT, the others STANDARD.
 */
export function vtimezone(timeZone: string, years: readonly number[]): string {
  const first = Math.min(...years)
  const start = Date.UTC(first, 0, 1)
  const end = Date.UTC(Math.max(...years) + 1, 0, 1)
  const changes = transitions(timeZone, start, end)
  const initial = wallClock(start, wallClockFormat(timeZone)).offsetMinutes
  const lowest = Math.min(initial, ...changes.map((c) => c.to))
  const lines = [
    'BEGIN:VTIMEZONE',
    `TZID:${timeZone}`,
    ...observance(
      initial === lowest ? 'STANDARD' : 'DAYLIGHT',
      `${String(first).padStart(4, '0')}0101T000000`,
      initial,
      initial,
    ),
    ...changes.flatMap((c) =>
      observance(c.to > c.from ? 'DAYLIGHT' : 'STANDARD', local(c.at, c.from), c.from, c.to),
    ),
    'END:VTIMEZONE',
  ]
  return lines.join('\r\n')
}
