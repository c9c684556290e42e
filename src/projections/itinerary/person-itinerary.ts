import type { Person } from '../../domain/values/person.js'
import type { VisitDoc, VisitView } from './types.js'

/** The people whose itinerary a visit belongs to: the visitor and the delegation. */
export function travellersOf(visit: Pick<VisitView, 'visitor' | 'delegation'>): Person[] {
  return [visit.visitor, ...visit.delegation.map((m) => m.person)]
}

/** One visit as it appears in a person's itinerary. */
export type ItineraryVisit = VisitView & {
  /** How the person travels: as the visitor or in the delegation. */
  role: 'visitor' | 'delegation'
  /** The others travelling: the visitor and delegation, without the person. */
  companions: Person[]
}

export interface PersonItinerary {
  personId: string
  visits: ItineraryVisit[]
}

/**
 * A person's itinerary from the visit documents (those whose rows name the person): the visits
 * they travel on, in time order (earliest bound, then latest), each with its engagements.
 * Counterparts met on others' visits are not in it; the engagement calendar has those.
 */
export function personItinerary(
  visitDocs: readonly (VisitDoc | VisitView)[],
  personId: string,
): PersonItinerary {
  const visits = visitDocs
    .filter((v) => travellersOf(v).some((p) => p.id === personId))
    .map((doc): ItineraryVisit => {
      const {
        facts: _f,
        engagementRevisions: _r,
        updatedAt: _u,
        position: _p,
        ...v
      } = doc as VisitDoc
      return {
        ...v,
        role: v.visitor.id === personId ? 'visitor' : 'delegation',
        companions: travellersOf(v).filter((p) => p.id !== personId),
      }
    })
    .sort(
      (a, b) =>
        (a.period.earliest ?? '').localeCompare(b.period.earliest ?? '') ||
        (a.period.latest ?? '\uffff').localeCompare(b.period.latest ?? '\uffff') ||
        a.visitId.localeCompare(b.visitId),
    )
  return { personId, visits }
}
