import type { Violations } from '../rules.js'

/** Area/Location names (Europe/Paris, America/Argentina/Buenos_Aires) and UTC. */
const IANA_NAME = /^(?:UTC|[A-Z][A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+)$/

/**
 * True for an IANA time zone name that the runtime's time zone data knows. Offsets (+01:00) and
 * abbreviations (CET, EST) are refused: they do not follow daylight saving time.
 */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || !IANA_NAME.test(value)) return false
  let known = checked.get(value)
  if (known === undefined) {
    // Building a DateTimeFormat costs tens of microseconds: every command checks its zones.
    try {
      new Intl.DateTimeFormat('en', { timeZone: value })
      known = true
    } catch {
      known = false
    }
    if (checked.size >= 1_000) checked.clear()
    checked.set(value, known)
  }
  return known
}

/** Names already checked against the runtime's zone data (which does not change while it runs). */
const checked = new Map<string, boolean>()

export function checkTimeZone(v: Violations, value: unknown, field: string): boolean {
  return v.check(
    isTimeZone(value),
    field,
    'iana-time-zone',
    `${JSON.stringify(value)} is not an IANA time zone name such as Europe/Paris`,
  )
}
