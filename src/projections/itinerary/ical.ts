import ical, {
  type ICalEventData,
  ICalEventStatus,
  type ICalTemporalPlainDateTimeStub,
  type ICalTemporalZonedDateTimeStub,
} from 'ical-generator'
import type { JsonObject } from '../../domain/json.js'
import { personItinerary } from './person-itinerary.js'
import { wallClock, wallClockFormat } from './timing.js'
import type { EngagementView, VisitView } from './types.js'
import { vtimezone } from './vtimezone.js'

export interface ICalendarOptions {
  personId: string
  personName: string
  /** PRODID as `//Company//Product//EN`; by default `//Entente//Itinerary//EN`. */
  prodId?: string
}

const DAY = 86_400_000
const STATUS = {
  tentative: ICalEventStatus.TENTATIVE,
  confirmed: ICalEventStatus.CONFIRMED,
  cancelled: ICalEventStatus.CANCELLED,
} as const

/**
 * An instant in a zone, shaped as the Temporal.ZonedDateTime that ical-generator formats as
 * local time with TZID. A plain Date would be written in the host's zone instead.
 */
function zoned(ms: number, timeZone: string): ICalTemporalZonedDateTimeStub {
  const c = wallClock(ms, wallClockFormat(timeZone))
  const iso = new Date(ms).toISOString()
  const text = { toJSON: () => iso, toString: () => iso }
  const fields = { year: c.year, month: c.month, day: c.day }
  const time = { hour: c.hour, minute: c.minute, second: c.second }
  const plain: ICalTemporalPlainDateTimeStub = {
    ...fields,
    ...time,
    ...text,
    toPlainDate: () => ({ ...fields, ...text }),
    toZonedDateTime: (zone) => zoned(ms, zone),
  }
  return {
    ...fields,
    ...time,
    ...text,
    timeZoneId: timeZone,
    toPlainDateTime: () => plain,
    withTimeZone: (zone) => zoned(ms, zone),
    toInstant: () => ({
      epochMilliseconds: ms,
      ...text,
      toZonedDateTimeISO: (zone: string) => zoned(ms, zone),
    }),
  }
}

/** Midnight UTC of the day an instant falls on: bounds of untimed values are UTC days. */
const dayOf = (instant: string) => `${instant.slice(0, 10)}T00:00:00.000Z`
const dayAfter = (instant: string) => new Date(Date.parse(dayOf(instant)) + DAY).toISOString()

/** When the event is: a timed start (and end) in the place's zone, or all-day dates. */
function when(e: EngagementView): Partial<ICalEventData> & Pick<ICalEventData, 'start'> {
  const { earliest, latest } = e.period
  if (e.timing === 'timed' && earliest && latest) {
    const start = Date.parse(earliest)
    // An interval ends at its end's time of day; `latest` runs to the end of that minute or second.
    const end = Date.parse(e.period.edtf.split('/')[1] ?? '') || Date.parse(latest)
    // A single time of day has no end: RFC 5545 reads it as ending when it starts.
    const span = e.period.precision === 'interval' ? { end: zoned(end, e.timeZone) } : {}
    return { start: zoned(start, e.timeZone), timezone: e.timeZone, ...span }
  }
  const from = (earliest ?? latest)!
  const to = (latest ?? earliest)!
  return { allDay: true, start: dayOf(from), end: dayAfter(to) }
}

function describe(visit: VisitView, e: EngagementView): string {
  const { edtf, precision, phrase } = e.period
  return [
    `${e.kind[0]!.toUpperCase()}${e.kind.slice(1)} during the visit of ${visit.visitor.name} to ${visit.destination.city}`,
    e.counterparts.length ? `With: ${e.counterparts.map((p) => p.name).join(', ')}` : '',
    `When: ${edtf} (${precision}${phrase ? `, "${phrase}"` : ''})`,
    e.cancellation ? `Cancelled: ${e.cancellation.reason}` : '',
    `Sources: ${e.sources.map((s) => `${s.publisher}, ${s.title}`).join('; ')}`,
  ]
    .filter(Boolean)
    .join('\n')
}

function eventOf(visit: VisitView, e: EngagementView): ICalEventData {
  const { venue, city, country } = e.place
  const imprecise = e.timing === 'imprecise' && e.status !== 'cancelled'
  return {
    id: `${e.engagementId}.${visit.visitId}@entente`,
    sequence: e.revision,
    stamp: e.revisedAt,
    lastModified: e.revisedAt,
    summary: e.title,
    description: describe(visit, e),
    location: [venue, city, country].filter(Boolean).join(', '),
    // A date known only roughly is held, not promised: TENTATIVE whatever the itinerary says.
    status: imprecise ? ICalEventStatus.TENTATIVE : STATUS[e.status],
    x: { 'X-ENTENTE-EDTF': e.period.edtf, 'X-ENTENTE-PRECISION': e.period.precision },
    ...when(e),
  }
}

/**
 * A person's itinerary as iCalendar (RFC 5545), from the visit documents of the itinerary
 * projection (as stored: JSON). One VEVENT per engagement of the visits the person travels on:
 * UID `<engagementId>.<visitId>@entente`, SEQUENCE the engagement's revision, STATUS from its
 * status (imprecise dates TENTATIVE), timed engagements in the place's zone (TZID, with a
 * VTIMEZONE), others all-day across their bounds. DTSTAMP is the last revision's recorded time,
 * so the same documents always give the same text.
 */
export function itineraryToICalendar(
  visitDocs: readonly (VisitView | JsonObject)[],
  { personId, personName, prodId }: ICalendarOptions,
): string {
  const { visits } = personItinerary(visitDocs as unknown as VisitView[], personId)
  const pairs = visits.flatMap((v) => v.engagements.map((e) => [v, e] as const))
  const years = pairs
    .filter(([, e]) => e.timing === 'timed')
    .flatMap(([, e]) => [e.period.earliest, e.period.latest])
    .map((bound) => Number(bound!.slice(0, 4)))
  const calendar = ical({
    prodId: prodId ?? { company: 'Entente', product: 'Itinerary', language: 'EN' },
    name: `Itinerary of ${personName}`,
    timezone: years.length ? { name: null, generator: (zone) => vtimezone(zone, years) } : null,
    events: pairs.map(([v, e]) => eventOf(v, e)),
  })
  return calendar.toString()
}
