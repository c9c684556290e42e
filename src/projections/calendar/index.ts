import { evolveVisitDoc, VISIT_EVENT_TYPES } from '../itinerary/evolve-visit.js'
import {
  asJson,
  CORRECTION_TYPES,
  dataOf,
  idInStream,
  isCorrection,
} from '../itinerary/fact-log.js'
import type { VisitDoc } from '../itinerary/types.js'
import type { DocumentKey, ProjectedEvent, Projection, ReadModelRow } from '../projection.js'
import { callRows, engagementRows, meetingRows } from './entries.js'
import { evolveFolded, foldCall, foldMeeting } from './fold.js'
import type { CallDoc, MeetingDoc } from './types.js'

export type * from './types.js'

const MEETING_EVENT_TYPES = [
  'MeetingAnnounced',
  'MeetingConfirmed',
  'MeetingRescheduled',
  'MeetingHeld',
  'MeetingCancelled',
  'MeetingOutcomeRecorded',
] as const

type Kind = 'visit' | 'call' | 'meeting'
const KINDS: readonly Kind[] = ['visit', 'call', 'meeting']

function kindOf(type: string): Kind | undefined {
  if ((VISIT_EVENT_TYPES as readonly string[]).includes(type)) return 'visit'
  if ((MEETING_EVENT_TYPES as readonly string[]).includes(type)) return 'meeting'
  return type === 'CallRecorded' ? 'call' : undefined
}

/** The visit, call or meeting an event is about: from its data's id, or its stream's. */
export function calendarKeysOf(event: ProjectedEvent): DocumentKey[] {
  if (isCorrection(event)) {
    const kind = KINDS.find((k) => idInStream(event.streamId, `${k}-`) !== undefined)
    return kind ? [{ kind, id: idInStream(event.streamId, `${kind}-`)! }] : []
  }
  const kind = kindOf(event.type)
  const id = kind && dataOf<{ data: Record<string, string> }>(event)[`${kind}Id`]
  return kind && id ? [{ kind, id }] : []
}

function evolveCalendar(doc: object | undefined, event: ProjectedEvent, key: DocumentKey) {
  switch (key.kind) {
    case 'visit':
      return evolveVisitDoc(doc as VisitDoc | undefined, event)
    case 'call':
      return evolveFolded(doc as CallDoc | undefined, event, foldCall)
    case 'meeting':
      return evolveFolded(doc as MeetingDoc | undefined, event, foldMeeting)
    default:
      return doc
  }
}

function calendarRows(key: DocumentKey, doc: object): ReadModelRow[] {
  switch (key.kind) {
    case 'visit':
      return engagementRows(doc as VisitDoc)
    case 'call':
      return callRows(doc as CallDoc)
    case 'meeting':
      return meetingRows(doc as MeetingDoc)
    default:
      return []
  }
}

/**
 * Engagement calendar: every visit engagement, call and meeting, one row each (kinds
 * `engagement`, `call`, `meeting`) with earliest/latest bounds, countries and people, for
 * filtering by country, person and date range and ordering by earliest bound. Documents are
 * per visit, call and meeting; the row's doc is a `CalendarEntry` that shows the precision.
 * Retracted entries disappear; cancelled ones stay, `cancelled`.
 */
export const calendarProjection: Projection = {
  name: 'calendar',
  version: 1,
  eventTypes: [...VISIT_EVENT_TYPES, 'CallRecorded', ...MEETING_EVENT_TYPES, ...CORRECTION_TYPES],
  keysOf: calendarKeysOf,
  evolve: (doc, event, key) => asJson(evolveCalendar(doc, event, key)),
  rows: calendarRows,
}
