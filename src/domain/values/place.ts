import type { Violations } from '../rules.js'
import { type CountryCode, checkCountry } from './country.js'
import { checkObject, checkOptionalText, checkText } from './text.js'
import { checkTimeZone } from './time-zone.js'

/** Where something happens. */
export interface Place {
  city: string
  country: CountryCode
  /** E.g. "Élysée Palace" or "La Nuvola convention centre". */
  venue?: string
  /** IANA time zone of the place, e.g. Europe/Paris: local times are read in it. */
  timeZone: string
}

export function checkPlace(v: Violations, value: unknown, field: string): value is Place {
  if (!checkObject(v, value, field)) return false
  const p = value as Partial<Place>
  return [
    checkText(v, p.city, `${field}/city`),
    checkCountry(v, p.country, `${field}/country`),
    checkOptionalText(v, p.venue, `${field}/venue`),
    checkTimeZone(v, p.timeZone, `${field}/timeZone`),
  ].every(Boolean)
}
