import type { Command } from '../decider.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Person } from '../values/person.js'
import type { Place } from '../values/place.js'
import type { DelegationMember, Engagement } from './types.js'

export type ScheduleVisit = Command<
  'ScheduleVisit',
  {
    visitId: string
    visitor: Person
    destination: Place
    period: ImpreciseTime
    purpose?: string
    delegation?: DelegationMember[]
  }
>
/** Moves or refines the visit's period; every engagement must still fall inside it. */
export type RescheduleVisit = Command<
  'RescheduleVisit',
  { visitId: string; period: ImpreciseTime; reason?: string }
>
export type AddEngagement = Command<'AddEngagement', { visitId: string; engagement: Engagement }>
/** Replaces the given fields of an engagement; its id stays. */
export type ChangeEngagement = Command<
  'ChangeEngagement',
  { visitId: string; engagementId: string; changes: Partial<Omit<Engagement, 'engagementId'>> }
>
/** The engagement was dropped from the itinerary (not: our record of it was wrong). */
export type RemoveEngagement = Command<
  'RemoveEngagement',
  { visitId: string; engagementId: string; reason: string }
>
export type AddDelegationMember = Command<
  'AddDelegationMember',
  { visitId: string; member: DelegationMember }
>
export type RemoveDelegationMember = Command<
  'RemoveDelegationMember',
  { visitId: string; personId: string; reason?: string }
>
/** The visit will not take place. */
export type CancelVisit = Command<'CancelVisit', { visitId: string; reason: string }>
/** The visit took place as recorded. */
export type CompleteVisit = Command<'CompleteVisit', { visitId: string }>

export type VisitCommand =
  | ScheduleVisit
  | RescheduleVisit
  | AddEngagement
  | ChangeEngagement
  | RemoveEngagement
  | AddDelegationMember
  | RemoveDelegationMember
  | CancelVisit
  | CompleteVisit
