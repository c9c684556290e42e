import type { CorrectionEvent } from '../correction/events.js'
import type { Event } from '../decider.js'
import type { Interaction } from '../relationship/interaction-coding.js'
import type { Dyad } from '../values/country.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Person } from '../values/person.js'
import type { Place } from '../values/place.js'
import type { Source } from '../values/source.js'
import type { DelegationMember, Engagement } from './types.js'

interface Sourced {
  visitId: string
  sources: Source[]
}

export type VisitScheduled = Event<
  'VisitScheduled',
  Sourced & {
    visitor: Person
    destination: Place
    period: ImpreciseTime
    purpose?: string
    delegation: DelegationMember[]
    dyad: Dyad
    interactions: Interaction[]
  }
>
/**
 * `dyad` from schema v2 on, so that readers of this one event can place it; v1 events (upcast
 * unchanged) lack it: their pair is the scheduling's.
 */
export type VisitRescheduled = Event<
  'VisitRescheduled',
  Sourced & { period: ImpreciseTime; previousPeriod: ImpreciseTime; reason?: string; dyad?: Dyad }
>
export type ItineraryEngagementAdded = Event<
  'ItineraryEngagementAdded',
  Sourced & { engagement: Engagement }
>
/** `engagement` is the whole engagement after the change, `previous` the one before. */
export type ItineraryEngagementChanged = Event<
  'ItineraryEngagementChanged',
  Sourced & {
    engagementId: string
    changes: Partial<Omit<Engagement, 'engagementId'>>
    engagement: Engagement
    previous: Engagement
  }
>
export type ItineraryEngagementRemoved = Event<
  'ItineraryEngagementRemoved',
  Sourced & { engagementId: string; engagement: Engagement; reason: string }
>
export type DelegationMemberAdded = Event<
  'DelegationMemberAdded',
  Sourced & { member: DelegationMember }
>
export type DelegationMemberRemoved = Event<
  'DelegationMemberRemoved',
  Sourced & { member: DelegationMember; reason?: string }
>
export type VisitCancelled = Event<
  'VisitCancelled',
  Sourced & { reason: string; dyad: Dyad; interactions: Interaction[] }
>
export type VisitCompleted = Event<
  'VisitCompleted',
  Sourced & { period: ImpreciseTime; dyad: Dyad; interactions: Interaction[] }
>

/** What `decide` produces for a visit. */
export type VisitFact =
  | VisitScheduled
  | VisitRescheduled
  | ItineraryEngagementAdded
  | ItineraryEngagementChanged
  | ItineraryEngagementRemoved
  | DelegationMemberAdded
  | DelegationMemberRemoved
  | VisitCancelled
  | VisitCompleted

/** Everything a visit stream holds: its facts and corrections of them. */
export type VisitEvent = VisitFact | CorrectionEvent
