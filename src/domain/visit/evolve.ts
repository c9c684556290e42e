import { asRevision } from '../correction/events.js'
import { sameJson } from '../json.js'
import { sameTime } from '../values/imprecise-time.js'
import type { VisitEvent, VisitFact } from './events.js'
import type { DelegationMember, Engagement, VisitRecord, VisitState } from './types.js'

type Data<T extends VisitFact['type']> = Extract<VisitFact, { type: T }>['data']

/** Applies `f` to the visit record, whatever the visit's status. */
function mapVisit(state: VisitState, f: (visit: VisitRecord) => VisitRecord): VisitState {
  return state.status === 'none' ? state : { ...state, visit: f(state.visit) }
}

const withEngagement = (visit: VisitRecord, engagement: Engagement): VisitRecord => ({
  ...visit,
  engagements: visit.engagements.some((e) => e.engagementId === engagement.engagementId)
    ? visit.engagements.map((e) => (e.engagementId === engagement.engagementId ? engagement : e))
    : [...visit.engagements, engagement],
})

const withoutEngagement = (visit: VisitRecord, engagementId: string): VisitRecord => ({
  ...visit,
  engagements: visit.engagements.filter((e) => e.engagementId !== engagementId),
})

const withMember = (visit: VisitRecord, member: DelegationMember): VisitRecord => ({
  ...visit,
  delegation: [...visit.delegation.filter((m) => m.person.id !== member.person.id), member],
})

const withoutMember = (visit: VisitRecord, personId: string): VisitRecord => ({
  ...visit,
  delegation: visit.delegation.filter((m) => m.person.id !== personId),
})

/** Folds one event into the visit's state. */
export function evolveVisit(state: VisitState, event: VisitEvent): VisitState {
  switch (event.type) {
    case 'VisitScheduled': {
      const { visitId, visitor, destination, period, purpose, delegation, dyad } = event.data
      const visit: VisitRecord = {
        visitId,
        visitor,
        destination,
        period,
        dyad,
        delegation,
        engagements: [],
      }
      return { status: 'scheduled', visit: purpose === undefined ? visit : { ...visit, purpose } }
    }
    case 'VisitRescheduled':
      return mapVisit(state, (visit) => ({ ...visit, period: event.data.period }))
    case 'ItineraryEngagementAdded':
    case 'ItineraryEngagementChanged':
      return mapVisit(state, (visit) => withEngagement(visit, event.data.engagement))
    case 'ItineraryEngagementRemoved':
      return mapVisit(state, (visit) => withoutEngagement(visit, event.data.engagementId))
    case 'DelegationMemberAdded':
      return mapVisit(state, (visit) => withMember(visit, event.data.member))
    case 'DelegationMemberRemoved':
      return mapVisit(state, (visit) => withoutMember(visit, event.data.member.person.id))
    case 'VisitCancelled':
      return state.status === 'none'
        ? state
        : { status: 'cancelled', visit: state.visit, reason: event.data.reason }
    case 'VisitCompleted':
      return state.status === 'none' ? state : { status: 'completed', visit: state.visit }
    case 'FactCorrected':
    case 'FactRetracted': {
      const { eventType, before, after } = asRevision(event)
      return reviseVisit(state, eventType, before, after)
    }
    default:
      // Events of other deciders or of a newer version of this one.
      return state
  }
}

/**
 * Applies a correction (`after`) or retraction (`after` null) of an earlier visit event whose
 * data was `before`. Each case undoes what the event did, where it is still in force, and does
 * what the corrected event says. See docs on `FactCorrected`.
 */
export function reviseVisit(
  state: VisitState,
  eventType: string,
  before: object,
  after: object | null,
): VisitState {
  if (state.status === 'none' || state.status === 'retracted') return state
  switch (eventType) {
    case 'VisitScheduled': {
      if (after === null) return { status: 'retracted', visit: state.visit }
      const was = before as Data<'VisitScheduled'>
      const now = after as Data<'VisitScheduled'>
      return mapVisit(state, (visit) => {
        // The period stays if a reschedule has replaced the one scheduled.
        const period = sameTime(visit.period, was.period) ? now.period : visit.period
        const gone = was.delegation.filter(
          (m) => !now.delegation.some((n) => n.person.id === m.person.id),
        )
        const kept = gone.reduce((v, m) => withoutMember(v, m.person.id), visit)
        const updated = now.delegation.reduce(withMember, kept)
        const { purpose: _, ...rest } = updated
        const revised = { ...rest, visitor: now.visitor, destination: now.destination, period }
        return now.purpose === undefined ? revised : { ...revised, purpose: now.purpose }
      })
    }
    case 'VisitRescheduled': {
      const was = before as Data<'VisitRescheduled'>
      const period =
        after === null ? was.previousPeriod : (after as Data<'VisitRescheduled'>).period
      return mapVisit(state, (visit) =>
        sameTime(visit.period, was.period) ? { ...visit, period } : visit,
      )
    }
    case 'VisitCancelled':
      if (state.status !== 'cancelled') return state
      return after === null
        ? { status: 'scheduled', visit: state.visit }
        : { ...state, reason: (after as Data<'VisitCancelled'>).reason }
    case 'VisitCompleted':
      return after === null && state.status === 'completed'
        ? { status: 'scheduled', visit: state.visit }
        : state
    case 'ItineraryEngagementAdded': {
      const { engagement } = before as Data<'ItineraryEngagementAdded'>
      return mapVisit(state, (visit) =>
        after === null
          ? withoutEngagement(visit, engagement.engagementId)
          : withEngagement(visit, (after as Data<'ItineraryEngagementAdded'>).engagement),
      )
    }
    case 'ItineraryEngagementChanged': {
      const was = before as Data<'ItineraryEngagementChanged'>
      const current = state.visit.engagements.find((e) => e.engagementId === was.engagementId)
      // Only while the engagement still reads as this change left it.
      if (!current || !sameJson(current, was.engagement)) return state
      const engagement =
        after === null ? was.previous : (after as Data<'ItineraryEngagementChanged'>).engagement
      return mapVisit(state, (visit) => withEngagement(visit, engagement))
    }
    case 'ItineraryEngagementRemoved': {
      const was = before as Data<'ItineraryEngagementRemoved'>
      return after === null
        ? mapVisit(state, (visit) => withEngagement(visit, was.engagement))
        : state
    }
    case 'DelegationMemberAdded': {
      const was = before as Data<'DelegationMemberAdded'>
      return mapVisit(state, (visit) =>
        after === null
          ? withoutMember(visit, was.member.person.id)
          : withMember(visit, (after as Data<'DelegationMemberAdded'>).member),
      )
    }
    case 'DelegationMemberRemoved': {
      const was = before as Data<'DelegationMemberRemoved'>
      return after === null ? mapVisit(state, (visit) => withMember(visit, was.member)) : state
    }
    default:
      return state
  }
}
