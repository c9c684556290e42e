import { compact } from '../../domain/json.js'
import type { Person } from '../../domain/values/person.js'
import { asJson } from '../itinerary/fact-log.js'
import { travellersOf } from '../itinerary/person-itinerary.js'
import { timingOf } from '../itinerary/timing.js'
import type { VisitDoc } from '../itinerary/types.js'
import type { ReadModelRow } from '../projection.js'
import type { CalendarEntry, CalendarStatus, CallDoc, MeetingDoc } from './types.js'

/** "A and B", "A, B and C". */
function names(people: readonly Person[]): string {
  const all = people.map((p) => p.name)
  return all.length < 2 ? (all[0] ?? '') : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`
}

/** People once each, in first-seen order. */
function distinct(people: readonly Person[]): Person[] {
  return people.filter((p, i) => people.findIndex((q) => q.id === p.id) === i)
}

const sorted = (codes: readonly string[]) => [...new Set(codes)].sort()

/** The entry as a row: its bounds, countries and people ids, the entry itself as doc. */
function row(entry: CalendarEntry): ReadModelRow {
  return {
    kind: entry.entry,
    id: entry.id,
    doc: asJson(entry)!,
    earliest: entry.time.earliest,
    latest: entry.time.latest,
    countries: entry.countries,
    people: entry.people.map((p) => p.id),
  }
}

/**
 * One row per engagement of a visit (kind `engagement`, id `<visitId>/<engagementId>`), the
 * cancelled ones included; `held` once the visit is completed. People: the travellers and the engagement's counterparts;
 * countries: both sides of the visit, the engagement's place and the counterparts'.
 */
export function engagementRows(doc: VisitDoc): ReadModelRow[] {
  return doc.engagements.map((e) => {
    const people = distinct([...travellersOf(doc), ...e.counterparts])
    const countries = sorted([
      ...doc.dyad,
      e.place.country,
      ...e.counterparts.map((p) => p.country),
    ])
    return row({
      entry: 'engagement',
      id: `${doc.visitId}/${e.engagementId}`,
      title: e.title,
      kind: e.kind,
      time: e.period,
      precision: e.period.precision,
      timing: e.timing,
      place: e.place,
      // A completed visit took place as recorded: what was confirmed was held.
      status: doc.status === 'completed' && e.status === 'confirmed' ? 'held' : e.status,
      people,
      countries,
      visitId: doc.visitId,
      engagementId: e.engagementId,
      revision: e.revision,
      sources: e.sources,
    })
  })
}

/** One row for a call (kind `call`): its participants and their countries; it took place. */
export function callRows(doc: CallDoc): ReadModelRow[] {
  return [
    row({
      entry: 'call',
      id: doc.callId,
      title: `Call between ${names(doc.participants)}`,
      kind: 'call',
      time: doc.date,
      precision: doc.date.precision,
      timing: timingOf(doc.date),
      status: 'held',
      people: doc.participants,
      countries: sorted(doc.participants.map((p) => p.country)),
      callId: doc.callId,
      revision: doc.revision,
      sources: doc.sources,
    }),
  ]
}

const MEETING_STATUS: Record<MeetingDoc['status'], CalendarStatus> = {
  announced: 'tentative',
  confirmed: 'confirmed',
  held: 'held',
  cancelled: 'cancelled',
}

/**
 * One row for a meeting (kind `meeting`): at its confirmed or held date, else across its
 * window. People: the participants; countries: theirs and the host's (the place's).
 */
export function meetingRows(doc: MeetingDoc): ReadModelRow[] {
  const time = doc.date ?? doc.window
  const entry: CalendarEntry = compact({
    entry: 'meeting' as const,
    id: doc.meetingId,
    title: `Meeting of ${names(doc.participants)}${doc.occasion ? ` (${doc.occasion})` : ''}`,
    kind: doc.format,
    time,
    precision: time.precision,
    timing: timingOf(time),
    place: doc.place,
    status: MEETING_STATUS[doc.status],
    people: doc.participants,
    countries: sorted([...doc.participants.map((p) => p.country), doc.place.country]),
    meetingId: doc.meetingId,
    occasion: doc.occasion,
    revision: doc.revision,
    sources: doc.sources,
  })
  return [row(entry)]
}
