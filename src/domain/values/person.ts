import type { Violations } from '../rules.js'
import { type CountryCode, checkCountry } from './country.js'
import { checkObject, checkOptionalText, checkText } from './text.js'

/** A person as the record knows them at the time of the fact. */
export interface Person {
  /** A Wikidata QID (`Q10853588`) where known, else a lower-case slug (`jane-doe`). */
  id: string
  name: string
  /** The office held at the time, e.g. "Vice President of the United States". */
  office?: string
  /** The country the person acts for. */
  country: CountryCode
}

const QID = /^Q[1-9][0-9]*$/
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** True for a Wikidata QID or a slug of at most 100 characters. */
export function isPersonId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 100 && (QID.test(value) || SLUG.test(value))
}

/** Checks one person; reports each bad field under `field`. */
export function checkPerson(v: Violations, value: unknown, field: string): boolean {
  if (!checkObject(v, value, field)) return false
  const p = value as Partial<Person>
  const ok = [
    v.check(
      isPersonId(p.id),
      `${field}/id`,
      'person-id',
      'must be a Wikidata QID (Q10853588) or a lower-case slug (jane-doe)',
    ),
    checkText(v, p.name, `${field}/name`),
    checkOptionalText(v, p.office, `${field}/office`),
    checkCountry(v, p.country, `${field}/country`),
  ]
  return ok.every(Boolean)
}

/**
 * Checks a list of people, each at most once. `min` is the fewest the list may hold; the rule
 * reported when there are fewer is `tooFewRule`.
 */
export function checkPeople(
  v: Violations,
  value: unknown,
  field: string,
  min: number,
  tooFewRule: 'required' | 'call-needs-two-participants' = 'required',
): value is Person[] {
  if (!v.check(Array.isArray(value), field, 'required', 'must be a list of people')) return false
  const people = value as unknown[]
  if (!v.check(people.length >= min, field, tooFewRule, `needs at least ${min} people`))
    return false
  const ok = people.map((p, i) => checkPerson(v, p, `${field}/${i}`)).every(Boolean)
  if (!ok) return false
  const seen = new Set<string>()
  for (const [i, p] of (people as Person[]).entries()) {
    v.check(!seen.has(p.id), `${field}/${i}/id`, 'participant-duplicate', `${p.id} is listed twice`)
    seen.add(p.id)
  }
  return true
}
