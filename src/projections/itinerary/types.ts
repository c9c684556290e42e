import type { Dyad } from '../../domain/values/country.js'
import type { ImpreciseTime } from '../../domain/values/imprecise-time.js'
import type { Person } from '../../domain/values/person.js'
import type { Place } from '../../domain/values/place.js'
import type { Source } from '../../domain/values/source.js'
import type { DelegationMember, EngagementKind } from '../../domain/visit/types.js'
import type { FactEntry } from './fact-log.js'
import type { Timing } from './timing.js'

/** An itinerary item's status: a dropped engagement or a called-off visit is `cancelled`. */
export type ItineraryStatus = 'tentative' | 'confirmed' | 'cancelled'

/** What the itinerary says of one engagement of a visit. */
export interface EngagementView {
  engagementId: string
  kind: EngagementKind
  title: string
  /** Its time: a time of day with zone, a day, or an imprecise period and its precision. */
  period: ImpreciseTime
  timing: Timing
  /** The place's IANA zone, in which `localStart` is read. */
  timeZone: string
  /** For timed engagements: the start as local time with offset (`2021-11-10T15:00:00+01:00`). */
  localStart?: string
  /** Its own place, else the visit's destination. */
  place: Place
  counterparts: Person[]
  status: ItineraryStatus
  /** Why it is cancelled: dropped from the itinerary, or the whole visit called off. */
  cancellation?: { by: 'engagement-removed' | 'visit-cancelled'; reason: string }
  sources: Source[]
  /** Raised each time what the engagement says changes: iCalendar's SEQUENCE. */
  revision: number
  /** When it last changed (recorded time). */
  revisedAt: string
}

export type VisitStatus = 'scheduled' | 'cancelled' | 'completed'

/** A visit in detail: what the itinerary of each of its travellers shows. */
export interface VisitView {
  visitId: string
  status: VisitStatus
  visitor: Person
  destination: Place
  period: ImpreciseTime
  purpose?: string
  /** visitor.country and destination.country, sorted. */
  dyad: Dyad
  /** The companions travelling with the visitor. */
  delegation: DelegationMember[]
  /** Ordered by earliest bound, then as added. */
  engagements: EngagementView[]
  cancellation?: { reason: string }
  /** Every source of the facts in force and of their corrections. */
  sources: Source[]
}

/**
 * The document of one visit (`{ kind: 'visit', id: visitId }`): the view, the facts it was
 * folded from, and the revision of every engagement ever shown (kept when one is retracted,
 * so that SEQUENCE never goes back if its id is used again).
 */
export interface VisitDoc extends VisitView {
  facts: FactEntry[]
  engagementRevisions: Record<string, { revision: number; revisedAt: string }>
  /** Recorded time and global position of the last event applied. */
  updatedAt: string
  position: number
}
