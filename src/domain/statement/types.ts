import type { CountryCode } from '../values/country.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Quote } from '../values/quote.js'

export const STATEMENT_KINDS = [
  'readout',
  'release',
  'joint-statement',
  'communique',
  'remarks',
] as const
export type StatementKind = (typeof STATEMENT_KINDS)[number]

/** Who issued it: an institution (The White House, the Élysée) or a person acting for one. */
export interface Issuer {
  name: string
  country: CountryCode
  /** When a person issued it: their Wikidata QID or slug. */
  personId?: string
}

/** What a statement is about: a call, meeting or visit, by its id. */
export interface StatementSubject {
  aggregate: 'call' | 'meeting' | 'visit'
  id: string
}

export interface StatementRecord {
  statementId: string
  kind: StatementKind
  issuer: Issuer
  title: string
  /** When it was issued. */
  date: ImpreciseTime
  topics: string[]
  quotes: Quote[]
  relatesTo: StatementSubject[]
}

export type StatementState =
  | { status: 'none' }
  | { status: 'published'; statement: StatementRecord }
  | { status: 'retracted'; statement: StatementRecord }

export function initialStatementState(): StatementState {
  return { status: 'none' }
}
