import type { Dyad } from '../values/country.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Person } from '../values/person.js'
import type { Quote } from '../values/quote.js'

/** What the record knows about a call between leaders or officials. */
export interface CallRecord {
  callId: string
  /** Two or more people, from at least two countries. */
  participants: Person[]
  date: ImpreciseTime
  /** Who placed the call, if known: one of the participants. */
  initiatorId?: string
  topics: string[]
  /** The readout's account of the call, in its words or ours. */
  readout?: string
  quotes: Quote[]
  /** Every pair of the participants' countries. */
  dyads: Dyad[]
}

/** `retracted`: our record of the call was wrong (it is not a call that did not happen). */
export type CallState =
  | { status: 'none' }
  | { status: 'recorded'; call: CallRecord }
  | { status: 'retracted'; call: CallRecord }

export function initialCallState(): CallState {
  return { status: 'none' }
}
