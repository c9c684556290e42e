import type { CallRecord } from '../../domain/call/types.js'
import type { MeetingOutcome, MeetingRecord } from '../../domain/meeting/types.js'
import type { ImpreciseTime, Precision } from '../../domain/values/imprecise-time.js'
import type { Person } from '../../domain/values/person.js'
import type { Place } from '../../domain/values/place.js'
import type { Source } from '../../domain/values/source.js'
import type { FactEntry } from '../itinerary/fact-log.js'
import type { Timing } from '../itinerary/timing.js'

/** What every document of the calendar keeps besides its view. */
interface Bookkeeping {
  facts: FactEntry[]
  /** Raised by every event that changed the document, from 0. */
  revision: number
  updatedAt: string
  position: number
}

/** A recorded call (`{ kind: 'call', id: callId }`). */
export interface CallDoc extends CallRecord, Bookkeeping {
  sources: Source[]
}

export type MeetingStatus = 'announced' | 'confirmed' | 'held' | 'cancelled'

/** A meeting from its announcement on (`{ kind: 'meeting', id: meetingId }`). */
export interface MeetingDoc extends MeetingRecord, Bookkeeping {
  status: MeetingStatus
  /** The confirmed or held date; kept when a confirmed meeting is cancelled. */
  date?: ImpreciseTime
  outcomes: MeetingOutcome[]
  cancellation?: { reason: string }
  sources: Source[]
}

/** A calendar entry's status: calls and held meetings took place (`held`). */
export type CalendarStatus = 'tentative' | 'confirmed' | 'held' | 'cancelled'

/** One entry of the engagement calendar: a visit engagement, a call or a meeting. */
export interface CalendarEntry {
  entry: 'engagement' | 'call' | 'meeting'
  /** The row id: `<visitId>/<engagementId>`, the call id or the meeting id. */
  id: string
  title: string
  /** The engagement's kind, `call`, or the meeting's format. */
  kind: string
  /** When, as precisely as known; `precision` says how precisely. */
  time: ImpreciseTime
  precision: Precision
  timing: Timing
  place?: Place
  status: CalendarStatus
  /** Everyone concerned: travellers and counterparts, or participants. */
  people: Person[]
  countries: string[]
  visitId?: string
  engagementId?: string
  callId?: string
  meetingId?: string
  occasion?: string
  revision: number
  sources: Source[]
}
