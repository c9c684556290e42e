import type { WithFacts } from '../correction/history.js'
import type { Dyad } from '../values/country.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Person } from '../values/person.js'
import type { Place } from '../values/place.js'

export const ENGAGEMENT_KINDS = [
  'talks',
  'speech',
  'conference',
  'meeting',
  'ceremony',
  'press-conference',
  'site-visit',
  'dinner',
  'other',
] as const
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number]

/** Whether the itinerary item is only planned or officially confirmed. */
export const ENGAGEMENT_STATUSES = ['tentative', 'confirmed'] as const
export type EngagementStatus = (typeof ENGAGEMENT_STATUSES)[number]

/** One item of a visit's itinerary. */
export interface Engagement {
  engagementId: string
  kind: EngagementKind
  title: string
  /** Falls inside the visit's period. */
  period: ImpreciseTime
  /** Where, when not simply the visit's destination. */
  place?: Place
  /** The people met, e.g. the host head of state. */
  counterparts: Person[]
  status: EngagementStatus
}

/** Someone travelling with the visitor. */
export interface DelegationMember {
  person: Person
  /** E.g. "spouse", "Secretary of State". */
  role?: string
}

/** What the record knows about a visit. */
export interface VisitRecord {
  visitId: string
  visitor: Person
  destination: Place
  period: ImpreciseTime
  purpose?: string
  /** visitor.country and destination.country, sorted. */
  dyad: Dyad
  delegation: DelegationMember[]
  /** In the order they were added. */
  engagements: Engagement[]
}

/**
 * A visit's lifecycle. `cancelled` means it did not happen; `retracted` means our record of its
 * scheduling was wrong (see `FactRetracted`). Only a scheduled visit accepts changes.
 */
export type VisitLifecycle =
  | { status: 'none' }
  | { status: 'scheduled'; visit: VisitRecord }
  | { status: 'cancelled'; visit: VisitRecord; reason: string }
  | { status: 'completed'; visit: VisitRecord }
  | { status: 'retracted'; visit: VisitRecord }

/** The visit's lifecycle, and the facts it was folded from: a correction folds them again. */
export type VisitState = WithFacts<VisitLifecycle>

export function initialVisitState(): VisitState {
  return { status: 'none', facts: [] }
}
