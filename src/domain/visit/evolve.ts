import { evolveCorrected } from '../correction/history.js'
import { applyEngagementChange } from './engagement-change.js'
import type { VisitEvent, VisitFact } from './events.js'
import type {
  DelegationMember,
  Engagement,
  VisitLifecycle,
  VisitRecord,
  VisitState,
} from './types.js'

type Data<T extends VisitFact['type']> = Extract<VisitFact, { type: T }>['data']

/** Applies `f` to the visit record, whatever the visit's status. */
function mapVisit(state: VisitLifecycle, f: (visit: VisitRecord) => VisitRecord): VisitLifecycle {
  return state.status === 'none' ? state : { ...state, visit: f(state.visit) }
}

function recordOf(data: Data<'VisitScheduled'>): VisitRecord {
  const { visitId, visitor, destination, period, purpose, delegation, dyad } = data
  const visit: VisitRecord = {
    visitId,
    visitor,
    destination,
    period,
    dyad,
    delegation,
    engagements: [],
  }
  return purpose === undefined ? visit : { ...visit, purpose }
}

const withEngagement = (visit: VisitRecord, engagement: Engagement): VisitRecord => ({
  ...visit,
  engagements: visit.engagements.some((e) => e.engagementId === engagement.engagementId)
    ? visit.engagements.map((e) => (e.engagementId === engagement.engagementId ? engagement : e))
    : [...visit.engagements, engagement],
})

/** A change applies to the engagement as it stands; one no longer there (retracted) stays so. */
function withChange(visit: VisitRecord, change: Data<'ItineraryEngagementChanged'>): VisitRecord {
  const current = visit.engagements.find((e) => e.engagementId === change.engagementId)
  if (!current) return visit
  return withEngagement(visit, applyEngagementChange(current, change.previous, change.engagement))
}

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

/** Folds one fact, as it reads now, into the visit's lifecycle. */
function applyVisitFact(state: VisitLifecycle, fact: VisitFact): VisitLifecycle {
  switch (fact.type) {
    case 'VisitScheduled':
      return { status: 'scheduled', visit: recordOf(fact.data) }
    case 'VisitRescheduled':
      return mapVisit(state, (visit) => ({ ...visit, period: fact.data.period }))
    case 'ItineraryEngagementAdded':
      return mapVisit(state, (visit) => withEngagement(visit, fact.data.engagement))
    case 'ItineraryEngagementChanged':
      return mapVisit(state, (visit) => withChange(visit, fact.data))
    case 'ItineraryEngagementRemoved':
      return mapVisit(state, (visit) => withoutEngagement(visit, fact.data.engagementId))
    case 'DelegationMemberAdded':
      return mapVisit(state, (visit) => withMember(visit, fact.data.member))
    case 'DelegationMemberRemoved':
      return mapVisit(state, (visit) => withoutMember(visit, fact.data.member.person.id))
    case 'VisitCancelled':
      return state.status === 'none'
        ? state
        : { status: 'cancelled', visit: state.visit, reason: fact.data.reason }
    case 'VisitCompleted':
      // The period it took place in, as recorded (and corrected) when it was completed.
      return state.status === 'none'
        ? state
        : { status: 'completed', visit: { ...state.visit, period: fact.data.period } }
    default:
      // Events of other deciders or of a newer version of this one.
      return state
  }
}

/**
 * Folds one event into the visit's state. A correction or retraction folds the visit's facts
 * again as corrected (see `evolveCorrected`); with its scheduling retracted, the visit is
 * `retracted`, whatever else was recorded about it.
 */
export function evolveVisit(state: VisitState, event: VisitEvent): VisitState {
  const next = evolveCorrected(state, event, { status: 'none' }, applyVisitFact)
  if (next.status !== 'none') return next
  const scheduling = next.facts.find((f) => f.type === 'VisitScheduled')
  return scheduling?.retracted
    ? {
        status: 'retracted',
        visit: recordOf(scheduling.data as Data<'VisitScheduled'>),
        facts: next.facts,
      }
    : next
}
