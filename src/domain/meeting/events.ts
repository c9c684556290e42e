import type { CorrectionEvent } from '../correction/events.js'
import type { Event } from '../decider.js'
import type { Interaction } from '../relationship/interaction-coding.js'
import type { Dyad } from '../values/country.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Person } from '../values/person.js'
import type { Place } from '../values/place.js'
import type { Source } from '../values/source.js'
import type { MeetingOutcome, MeetingRecord } from './types.js'

interface Sourced {
  meetingId: string
  sources: Source[]
}

export type MeetingAnnounced = Event<
  'MeetingAnnounced',
  MeetingRecord & { interactions: Interaction[]; sources: Source[] }
>
/**
 * The meeting's pairs of countries, so that readers of one event can place it: from schema v2
 * on. v1 events (upcast unchanged) lack them; their pairs are the announcement's.
 */
interface Pairs {
  dyads?: Dyad[]
}

export type MeetingConfirmed = Event<
  'MeetingConfirmed',
  Sourced & Pairs & { date: ImpreciseTime; place: Place }
>
export type MeetingRescheduled = Event<
  'MeetingRescheduled',
  Sourced &
    Pairs & { window: ImpreciseTime; previousWindow: ImpreciseTime; place: Place; reason?: string }
>
export type MeetingHeld = Event<
  'MeetingHeld',
  Sourced & {
    date: ImpreciseTime
    place: Place
    participants: Person[]
    dyads: Dyad[]
    interactions: Interaction[]
  }
>
export type MeetingCancelled = Event<
  'MeetingCancelled',
  Sourced & { reason: string; dyads: Dyad[]; interactions: Interaction[] }
>
export type MeetingOutcomeRecorded = Event<
  'MeetingOutcomeRecorded',
  Sourced & { outcome: MeetingOutcome }
>

export type MeetingFact =
  | MeetingAnnounced
  | MeetingConfirmed
  | MeetingRescheduled
  | MeetingHeld
  | MeetingCancelled
  | MeetingOutcomeRecorded
export type MeetingEvent = MeetingFact | CorrectionEvent
