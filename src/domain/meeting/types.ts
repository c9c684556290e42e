import type { WithFacts } from '../correction/history.js'
import type { Dyad } from '../values/country.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Person } from '../values/person.js'
import type { Place } from '../values/place.js'

/** `sidelines`: a meeting held on the margins of a larger gathering such as a summit. */
export const MEETING_FORMATS = ['standalone', 'sidelines', 'multilateral', 'virtual'] as const
export type MeetingFormat = (typeof MEETING_FORMATS)[number]

export interface MeetingOutcome {
  outcomeId: string
  summary: string
  agreements: string[]
  topics: string[]
}

/** What the record knows about a meeting, from its announcement on. */
export interface MeetingRecord {
  meetingId: string
  /** Two or more people, from at least two countries. */
  participants: Person[]
  place: Place
  /** When it is expected: a confirmed or held date falls inside it, unless rescheduled. */
  window: ImpreciseTime
  /** The gathering it is part of, e.g. "G20 Rome summit". */
  occasion?: string
  format: MeetingFormat
  agenda: string[]
  dyads: Dyad[]
}

/**
 * A meeting's lifecycle. `cancelled` keeps the confirmed date, if any; `retracted` means our
 * record of its announcement was wrong (see `FactRetracted`).
 */
export type MeetingLifecycle =
  | { status: 'none' }
  | { status: 'announced'; meeting: MeetingRecord }
  | { status: 'confirmed'; meeting: MeetingRecord; date: ImpreciseTime }
  | { status: 'held'; meeting: MeetingRecord; date: ImpreciseTime; outcomes: MeetingOutcome[] }
  | { status: 'cancelled'; meeting: MeetingRecord; reason: string; date?: ImpreciseTime }
  | { status: 'retracted'; meeting: MeetingRecord }

/** The meeting's lifecycle, and the facts it was folded from: a correction folds them again. */
export type MeetingState = WithFacts<MeetingLifecycle>

export function initialMeetingState(): MeetingState {
  return { status: 'none', facts: [] }
}
