import { Type } from 'typebox'
import { MEETING_FORMATS } from '../../domain/meeting/types.js'
import { RELATIONSHIP_LABELS } from '../../domain/relationship/types.js'
import { ENGAGEMENT_KINDS } from '../../domain/visit/types.js'
import { ImpreciseTime, Instant, Page, Person, Place, Quote, Source } from './common.js'

/** How precisely an item's time is known: a time of day, whole days, or an imprecise period. */
const Timing = Type.Enum(['timed', 'days', 'imprecise'])
const Sources = Type.Array(Source)
const Label = Type.Enum(RELATIONSHIP_LABELS)
const DelegationMember = Type.Object({ person: Person, role: Type.Optional(Type.String()) })

export const EngagementView = Type.Object({
  engagementId: Type.String(),
  kind: Type.Enum(ENGAGEMENT_KINDS),
  title: Type.String(),
  period: ImpreciseTime,
  timing: Timing,
  timeZone: Type.String(),
  localStart: Type.Optional(Type.String()),
  place: Place,
  counterparts: Type.Array(Person),
  status: Type.Enum(['tentative', 'confirmed', 'cancelled']),
  cancellation: Type.Optional(
    Type.Object({
      by: Type.Enum(['engagement-removed', 'visit-cancelled']),
      reason: Type.String(),
    }),
  ),
  sources: Sources,
  revision: Type.Integer({ description: 'Raised on each change: iCalendar’s SEQUENCE' }),
  revisedAt: Type.String(),
})

const visitFields = {
  visitId: Type.String(),
  status: Type.Enum(['scheduled', 'cancelled', 'completed']),
  visitor: Person,
  destination: Place,
  period: ImpreciseTime,
  purpose: Type.Optional(Type.String()),
  dyad: Type.Array(Type.String(), { minItems: 2, maxItems: 2 }),
  delegation: Type.Array(DelegationMember),
  engagements: Type.Array(EngagementView, { description: 'By earliest bound, then as added' }),
  cancellation: Type.Optional(Type.Object({ reason: Type.String() })),
  sources: Sources,
}

export const VisitView = Type.Object(visitFields, { $id: 'Visit' })

export const ItineraryVisit = Type.Object({
  ...visitFields,
  role: Type.Enum(['visitor', 'delegation']),
  companions: Type.Array(Person),
})

export const Itinerary = Type.Object({
  personId: Type.String(),
  visits: Type.Array(ItineraryVisit, { description: 'The visits the person travels on' }),
  next: Type.Optional(
    Type.String({ description: 'Pass as `after` for the next visits; absent on the last page' }),
  ),
})

export const CallView = Type.Object(
  {
    callId: Type.String(),
    participants: Type.Array(Person),
    date: ImpreciseTime,
    initiatorId: Type.Optional(Type.String()),
    topics: Type.Array(Type.String()),
    readout: Type.Optional(Type.String()),
    quotes: Type.Array(Quote),
    dyads: Type.Array(Type.Array(Type.String())),
    revision: Type.Integer(),
    sources: Sources,
  },
  { $id: 'Call' },
)

export const MeetingView = Type.Object(
  {
    meetingId: Type.String(),
    status: Type.Enum(['announced', 'confirmed', 'held', 'cancelled']),
    participants: Type.Array(Person),
    place: Place,
    window: ImpreciseTime,
    date: Type.Optional(ImpreciseTime),
    occasion: Type.Optional(Type.String()),
    format: Type.Enum(MEETING_FORMATS),
    agenda: Type.Array(Type.String()),
    dyads: Type.Array(Type.Array(Type.String())),
    outcomes: Type.Array(
      Type.Object({
        outcomeId: Type.String(),
        summary: Type.String(),
        agreements: Type.Array(Type.String()),
        topics: Type.Array(Type.String()),
      }),
    ),
    cancellation: Type.Optional(Type.Object({ reason: Type.String() })),
    revision: Type.Integer(),
    sources: Sources,
  },
  { $id: 'Meeting' },
)

export const CalendarEntry = Type.Object(
  {
    entry: Type.Enum(['engagement', 'call', 'meeting']),
    id: Type.String({ description: '<visitId>/<engagementId>, the call id or the meeting id' }),
    title: Type.String(),
    kind: Type.String({ description: 'The engagement’s kind, `call`, or the meeting’s format' }),
    time: ImpreciseTime,
    precision: Type.String(),
    timing: Timing,
    place: Type.Optional(Place),
    status: Type.Enum(['tentative', 'confirmed', 'held', 'cancelled']),
    people: Type.Array(Person),
    countries: Type.Array(Type.String()),
    visitId: Type.Optional(Type.String()),
    engagementId: Type.Optional(Type.String()),
    callId: Type.Optional(Type.String()),
    meetingId: Type.Optional(Type.String()),
    occasion: Type.Optional(Type.String()),
    revision: Type.Integer(),
    sources: Sources,
  },
  { $id: 'CalendarEntry' },
)

const EngagementSummary = Type.Union([
  Type.Object({
    type: Type.Enum(['visit', 'call', 'meeting']),
    id: Type.String(),
    title: Type.String(),
    time: ImpreciseTime,
    status: Type.Enum(['scheduled', 'announced', 'held', 'completed', 'cancelled']),
    place: Type.Optional(Place),
  }),
  Type.Null(),
])

export const RelationshipStatus = Type.Object(
  {
    dyad: Type.Array(Type.String(), { minItems: 2, maxItems: 2 }),
    now: Instant,
    score: Type.Number(),
    label: Label,
    trend: Type.Enum(['up', 'down', 'flat']),
    trendDelta: Type.Number(),
    lastEngagement: EngagementSummary,
    nextEngagement: EngagementSummary,
    openFrictions: Type.Array(
      Type.Object({
        frictionId: Type.String(),
        title: Type.String(),
        severity: Type.String(),
        since: Type.String(),
      }),
    ),
    cooperationTopics: Type.Array(
      Type.Object({ topic: Type.String(), area: Type.String(), since: Type.String() }),
    ),
    assessment: Type.Union([
      Type.Object({
        label: Label,
        rationale: Type.String(),
        asOf: Type.Optional(ImpreciseTime),
      }),
      Type.Null(),
    ]),
    computedLabel: Label,
    basis: Type.Object({
      thresholdLabel: Label,
      cappedBy: Type.Array(Type.String()),
      strainedBefore: Type.Boolean(),
    }),
    labelHistory: Type.Array(
      Type.Object({
        at: Type.String(),
        label: Label,
        score: Type.Number(),
        trend: Type.String(),
        eventIds: Type.Array(Type.String()),
      }),
    ),
    rules: Type.Object({}, { additionalProperties: true, description: 'The versioned rule set' }),
  },
  { $id: 'RelationshipStatus' },
)

export const VisitPage = Page(Type.Unsafe({ $ref: 'Visit#' }), 'Visits by earliest bound')
export const CalendarPage = Page(
  Type.Unsafe({ $ref: 'CalendarEntry#' }),
  'Visit engagements, calls and meetings by earliest bound',
)
export const RelationshipPage = Page(
  Type.Unsafe({ $ref: 'RelationshipStatus#' }),
  'Pairs of countries, each with its status now',
)
