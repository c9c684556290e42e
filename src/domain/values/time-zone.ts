import type { Violations } from '../rules.js'

/** Area/Location names (Europe/Paris, America/Argentina/Buenos_Aires) and UTC. */
const IANA_NAME = /^(?:UTC|[A-Z][A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+)$/

/**
 * True for an IANA time zone name that the runtime's time zone data knows. Offsets (+01:00) and
 * abbreviations (CET, EST) are refused: they do not follow daylight saving time.
 */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || !IANA_NAME.test(value)) return false
  try {
    new Intl.DateTimeFormat('en', { timeZone: value })
    return true
  } catch {
    return false
  }
}

export function checkTimeZone(v: Violations, value: unknown, field: string): boolean {
  return v.check(
    isTimeZone(value),
    field,
    'iana-time-zone',
    `${JSON.stringify(value)} is not an IANA time zone name such as Europe/Paris`,
  )
}
