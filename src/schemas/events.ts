import { type TSchema, Type } from 'typebox'
import { EVENT_SCHEMAS } from '../domain/event-schemas.js'
import { MEETING_FORMATS } from '../domain/meeting/types.js'
import { INTERACTION_KINDS } from '../domain/relationship/interaction-coding.js'
import {
  COOPERATION_AREAS,
  FRICTION_SEVERITIES,
  RELATIONSHIP_LABELS,
} from '../domain/relationship/types.js'
import { STATEMENT_KINDS } from '../domain/statement/types.js'
import { PRECISIONS } from '../domain/values/imprecise-time.js'
import { ENGAGEMENT_KINDS, ENGAGEMENT_STATUSES } from '../domain/visit/types.js'

/**
 * JSON Schemas of every event type's data at its current schema version: what the event log
 * stores, what `/v1/events` serves and what the Kafka messages carry as their value. The
 * OpenAPI and AsyncAPI documents are generated from these. They are strict
 * (`additionalProperties: false`): a field the domain adds without a schema fails the test that
 * validates every event the domain produces (test/unit/schemas/events.test.ts).
 */

const closed = { additionalProperties: false } as const
const oneOf = (values: readonly string[], description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description ? { description } : {},
  )
const text = (description?: string) =>
  Type.String({ minLength: 1, ...(description ? { description } : {}) })

export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 code (XK for Kosovo)',
})
export const Dyad = Type.Array(CountryCode, {
  minItems: 2,
  maxItems: 2,
  description: 'Two different countries, sorted: the key of a bilateral relationship',
})
const Instant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
  description: 'A UTC instant with milliseconds',
})
const DateOrInstant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$',
  description: 'A date (2021-10-22) or an RFC 3339 instant',
})
const PersonId = Type.String({
  pattern: '^(Q[1-9][0-9]*|[a-z0-9]+(-[a-z0-9]+)*)$',
  maxLength: 100,
  description: 'A Wikidata QID (Q10853588) or a lower-case slug (jane-doe)',
})
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' })

export const Person = Type.Object(
  {
    id: PersonId,
    name: text(),
    office: Type.Optional(text('The office held at the time')),
    country: CountryCode,
  },
  closed,
)
export const Place = Type.Object(
  {
    city: text(),
    country: CountryCode,
    venue: Type.Optional(text()),
    timeZone: text('IANA time zone, e.g. Europe/Paris'),
  },
  closed,
)
export const ImpreciseTime = Type.Object(
  {
    edtf: text('EDTF (ISO 8601-2), e.g. 2021-11 or [2021-10-23..2021-10-31]'),
    precision: oneOf(PRECISIONS),
    phrase: Type.Optional(text('The words of the source, e.g. "later this month"')),
    relativeTo: Type.Optional(DateOrInstant),
    earliest: Type.Union([Instant, Type.Null()], { description: 'null: open at the start' }),
    latest: Type.Union([Instant, Type.Null()], { description: 'null: open at the end' }),
  },
  closed,
)
const SourceCitation = Type.Object(
  { publisher: text(), title: Type.Optional(text()), url: Type.Optional(text()) },
  closed,
)
export const Source = Type.Object(
  {
    publisher: text(),
    title: text(),
    url: Type.Optional(text('An http(s) URL')),
    publishedAt: DateOrInstant,
    quote: Type.Optional(text('The passage that supports the fact, verbatim')),
    derivedFrom: Type.Optional(Type.Array(SourceCitation)),
  },
  closed,
)
const Sources = Type.Array(Source, { minItems: 1 })
export const Quote = Type.Object({ text: text(), speakerId: Type.Optional(PersonId) }, closed)
export const Interaction = Type.Object(
  {
    codingVersion: text(),
    kind: oneOf(INTERACTION_KINDS),
    dyad: Dyad,
    occurredAt: Instant,
    cameo: text('CAMEO 1.1b3 code'),
    cameoLabel: text(),
    goldstein: Type.Number({ description: 'Goldstein weight' }),
    plover: text('PLOVER category'),
    mode: Type.Union([Type.String(), Type.Null()]),
    context: Type.Union([Type.String(), Type.Null()]),
    weight: Type.Number({ description: "Entente's weight in the relationship score" }),
  },
  closed,
)
const Interactions = Type.Array(Interaction)

const engagementFields = {
  kind: oneOf(ENGAGEMENT_KINDS),
  title: text(),
  period: ImpreciseTime,
  place: Type.Optional(Place),
  counterparts: Type.Array(Person),
  status: oneOf(ENGAGEMENT_STATUSES),
}
export const Engagement = Type.Object({ engagementId: Id, ...engagementFields }, closed)
const EngagementChanges = Type.Object(
  Object.fromEntries(
    Object.entries(engagementFields).map(([k, s]) => [k, Type.Optional(s as TSchema)]),
  ),
  closed,
)
export const DelegationMember = Type.Object(
  { person: Person, role: Type.Optional(text('E.g. "spouse", "Secretary of State"')) },
  closed,
)
const MeetingOutcome = Type.Object(
  {
    outcomeId: Id,
    summary: text(),
    agreements: Type.Array(Type.String()),
    topics: Type.Array(Type.String()),
  },
  closed,
)
const FactTarget = Type.Object({ streamId: text(), eventId: text(), eventType: text() }, closed)
const JsonObject = Type.Record(Type.String(), Type.Unknown())

const visit = { visitId: Id, sources: Sources }
const meeting = { meetingId: Id, sources: Sources }
const relationship = { dyad: Dyad, sources: Sources }

/** The data of each event type, without `$id` (added per version below). */
const DATA = {
  VisitScheduled: {
    ...visit,
    visitor: Person,
    destination: Place,
    period: ImpreciseTime,
    purpose: Type.Optional(text()),
    delegation: Type.Array(DelegationMember),
    dyad: Dyad,
    interactions: Interactions,
  },
  VisitRescheduled: {
    ...visit,
    period: ImpreciseTime,
    previousPeriod: ImpreciseTime,
    reason: Type.Optional(text()),
    // From v2 on; v1 events, upcast unchanged, name no pair.
    dyad: Type.Optional(Dyad),
  },
  VisitCancelled: { ...visit, reason: text(), dyad: Dyad, interactions: Interactions },
  VisitCompleted: { ...visit, period: ImpreciseTime, dyad: Dyad, interactions: Interactions },
  ItineraryEngagementAdded: { ...visit, engagement: Engagement },
  ItineraryEngagementChanged: {
    ...visit,
    engagementId: Id,
    changes: EngagementChanges,
    engagement: Engagement,
    previous: Engagement,
  },
  ItineraryEngagementRemoved: {
    ...visit,
    engagementId: Id,
    engagement: Engagement,
    reason: text(),
  },
  DelegationMemberAdded: { ...visit, member: DelegationMember },
  DelegationMemberRemoved: { ...visit, member: DelegationMember, reason: Type.Optional(text()) },
  CallRecorded: {
    callId: Id,
    participants: Type.Array(Person, { minItems: 2 }),
    date: ImpreciseTime,
    initiatorId: Type.Optional(PersonId),
    topics: Type.Array(Type.String()),
    readout: Type.Optional(text()),
    quotes: Type.Array(Quote),
    dyads: Type.Array(Dyad),
    interactions: Interactions,
    sources: Sources,
  },
  MeetingAnnounced: {
    ...meeting,
    participants: Type.Array(Person, { minItems: 2 }),
    place: Place,
    window: ImpreciseTime,
    occasion: Type.Optional(text('The gathering it is part of, e.g. "G20 Rome summit"')),
    format: oneOf(MEETING_FORMATS),
    agenda: Type.Array(Type.String()),
    dyads: Type.Array(Dyad),
    interactions: Interactions,
  },
  MeetingConfirmed: {
    ...meeting,
    date: ImpreciseTime,
    place: Place,
    // From v2 on; v1 events, upcast unchanged, name no pairs.
    dyads: Type.Optional(Type.Array(Dyad)),
  },
  MeetingRescheduled: {
    ...meeting,
    window: ImpreciseTime,
    previousWindow: ImpreciseTime,
    place: Place,
    reason: Type.Optional(text()),
    dyads: Type.Optional(Type.Array(Dyad)),
  },
  MeetingHeld: {
    ...meeting,
    date: ImpreciseTime,
    place: Place,
    participants: Type.Array(Person),
    dyads: Type.Array(Dyad),
    interactions: Interactions,
  },
  MeetingCancelled: {
    ...meeting,
    reason: text(),
    dyads: Type.Array(Dyad),
    interactions: Interactions,
  },
  MeetingOutcomeRecorded: { ...meeting, outcome: MeetingOutcome },
  StatementPublished: {
    statementId: Id,
    kind: oneOf(STATEMENT_KINDS),
    issuer: Type.Object(
      { name: text(), country: CountryCode, personId: Type.Optional(PersonId) },
      closed,
    ),
    title: text(),
    date: ImpreciseTime,
    topics: Type.Array(Type.String()),
    quotes: Type.Array(Quote),
    relatesTo: Type.Array(
      Type.Object({ aggregate: oneOf(['call', 'meeting', 'visit']), id: Id }, closed),
    ),
    sources: Sources,
  },
  FrictionRecorded: {
    ...relationship,
    frictionId: Id,
    title: text(),
    description: text(),
    severity: oneOf(FRICTION_SEVERITIES),
    since: Type.Optional(ImpreciseTime),
    thirdParties: Type.Array(CountryCode),
    topics: Type.Array(Type.String()),
    interactions: Interactions,
  },
  FrictionResolved: {
    ...relationship,
    frictionId: Id,
    resolution: text(),
    date: Type.Optional(ImpreciseTime),
  },
  CooperationRecorded: {
    ...relationship,
    area: oneOf(COOPERATION_AREAS),
    topic: text(),
    description: Type.Optional(text()),
    date: Type.Optional(ImpreciseTime),
    interactions: Interactions,
  },
  RelationshipAssessed: {
    ...relationship,
    label: oneOf(RELATIONSHIP_LABELS),
    rationale: text(),
    asOf: Type.Optional(ImpreciseTime),
  },
  FactCorrected: {
    target: FactTarget,
    changes: { ...JsonObject, description: 'The RFC 7386 merge patch the analyst gave' },
    original: { ...JsonObject, description: 'What the target said before' },
    corrected: { ...JsonObject, description: 'What the target should say' },
    reason: text(),
    sources: Sources,
  },
  FactRetracted: {
    target: FactTarget,
    retracted: { ...JsonObject, description: 'The data the target held' },
    reason: text(),
    sources: Sources,
  },
} satisfies Record<keyof typeof EVENT_SCHEMAS, Record<string, TSchema>>

export type EventType = keyof typeof EVENT_SCHEMAS

/** The `$id` of an event type's data schema at a version, e.g. `EventData.VisitScheduled.v1`. */
export function eventDataSchemaId(type: string, version: number): string {
  return `EventData.${type}.v${version}`
}

function dataSchema<T extends EventType>(type: T) {
  return Type.Object(DATA[type], {
    ...closed,
    $id: eventDataSchemaId(type, EVENT_SCHEMAS[type]),
    title: `${type} v${EVENT_SCHEMAS[type]}`,
  })
}

/**
 * The data schema of every event type at its current schema version, keyed by event type.
 * Each has an `$id` such as `EventData.VisitScheduled.v1`.
 */
export const EVENT_DATA_SCHEMAS = Object.fromEntries(
  (Object.keys(DATA) as EventType[]).map((type) => [type, dataSchema(type)]),
) as {
  readonly [T in EventType]: ReturnType<typeof dataSchema<T>> & { $id: string; title: string }
}
