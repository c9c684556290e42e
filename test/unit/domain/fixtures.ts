import { parseImpreciseTime } from '../../../src/app/imprecise-time.js'
import type { CommandMetadata } from '../../../src/domain/decider.js'
import type { ImpreciseTime } from '../../../src/domain/values/imprecise-time.js'
import type { Person } from '../../../src/domain/values/person.js'
import type { Place } from '../../../src/domain/values/place.js'
import type { Source } from '../../../src/domain/values/source.js'

export const harris: Person = {
  id: 'Q10853588',
  name: 'Kamala Harris',
  office: 'Vice President of the United States',
  country: 'US',
}
export const macron: Person = {
  id: 'Q3052772',
  name: 'Emmanuel Macron',
  office: 'President of France',
  country: 'FR',
}
export const biden: Person = {
  id: 'Q6279',
  name: 'Joe Biden',
  office: 'President of the United States',
  country: 'US',
}
export const emhoff: Person = { id: 'douglas-emhoff', name: 'Douglas Emhoff', country: 'US' }
export const blinken: Person = {
  id: 'Q7152',
  name: 'Antony Blinken',
  office: 'Secretary of State',
  country: 'US',
}
export const draghi: Person = {
  id: 'Q47553',
  name: 'Mario Draghi',
  office: 'Prime Minister of Italy',
  country: 'IT',
}

export const paris: Place = { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' }
export const rome: Place = { city: 'Rome', country: 'IT', timeZone: 'Europe/Rome' }
export const washington: Place = { city: 'Washington', country: 'US', timeZone: 'America/New_York' }

export const whiteHouse: Source = {
  publisher: 'The White House',
  title: '[Readout of the call]',
  publishedAt: '2021-10-22',
}
export const ap: Source = {
  publisher: 'The Associated Press',
  title: '[Report]',
  url: 'https://apnews.com/article/example',
  publishedAt: '2021-10-22T18:00:00Z',
  derivedFrom: [{ publisher: 'The White House' }],
}

/** Command metadata: the analyst, a time after the sources, the White House release. */
export function meta(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return { actor: 'analyst-1', at: '2021-10-23T09:00:00Z', sources: [whiteHouse], ...overrides }
}

/** An imprecise time, parsed as the application layer would. */
export function time(edtf: string, phrase?: string, relativeTo?: string): ImpreciseTime {
  return parseImpreciseTime(
    { edtf, ...(phrase ? { phrase } : {}), ...(relativeTo ? { relativeTo } : {}) },
    '/t',
  )
}

export const november = time('2021-11', 'next month', '2021-10-22')
export const nov11 = time('2021-11-11')
export const nov12 = time('2021-11-12')
export const december = time('2021-12')
export const laterThisMonth = time('[2021-10-23..2021-10-31]', 'later this month', '2021-10-22')
export const oct22 = time('2021-10-22')
export const oct30 = time('2021-10-30')
