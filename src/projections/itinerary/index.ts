import type { DocumentKey, ProjectedEvent, Projection, ReadModelRow } from '../projection.js'
import { evolveVisitDoc, VISIT_EVENT_TYPES, visitView } from './evolve-visit.js'
import { asJson, CORRECTION_TYPES, dataOf, idInStream, isCorrection } from './fact-log.js'
import { travellersOf } from './person-itinerary.js'
import type { VisitDoc } from './types.js'

export { itineraryToICalendar } from './ical.js'
export { type ItineraryVisit, type PersonItinerary, personItinerary } from './person-itinerary.js'
export type * from './types.js'

/** The document of the visit an event is about: its data's visitId, or the stream's id. */
export function visitKeysOf(event: ProjectedEvent): DocumentKey[] {
  const id = isCorrection(event)
    ? idInStream(event.streamId, 'visit-')
    : dataOf<{ data: { visitId: string } }>(event).visitId
  return id === undefined ? [] : [{ kind: 'visit', id }]
}

/**
 * One row per visit (kind `visit`, id the visit id) for a person's itinerary: `people` are the
 * travellers (visitor and delegation), `countries` the visitor's and the destination's, the
 * bounds those of the visit's period. Query "itinerary of P": rows of kind `visit` whose people
 * hold P, by earliest. The row's doc is the visit without bookkeeping.
 */
export function visitRows(key: DocumentKey, doc: VisitDoc): ReadModelRow[] {
  return [
    {
      kind: 'visit',
      id: key.id,
      doc: asJson(visitView(doc))!,
      earliest: doc.period.earliest,
      latest: doc.period.latest,
      countries: [...doc.dyad],
      people: travellersOf(doc).map((p) => p.id),
    },
  ]
}

/**
 * Itinerary: one document per visit (`{ kind: 'visit', id }`) with its engagements (time with
 * zone or imprecise period, place, kind, counterparts, status, sources, revision), companions
 * and sources. Corrections re-fold the visit; a retracted visit disappears, a retracted
 * engagement too; cancelled ones stay, `cancelled`.
 */
export const itineraryProjection: Projection = {
  name: 'itinerary',
  version: 1,
  eventTypes: [...VISIT_EVENT_TYPES, ...CORRECTION_TYPES],
  keysOf: visitKeysOf,
  evolve: (doc, event) => asJson(evolveVisitDoc(doc as unknown as VisitDoc | undefined, event)),
  rows: (key, doc) => visitRows(key, doc as unknown as VisitDoc),
}
