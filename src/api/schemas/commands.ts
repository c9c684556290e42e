import { type TProperties, Type } from 'typebox'
import { MEETING_FORMATS } from '../../domain/meeting/types.js'
import {
  COOPERATION_AREAS,
  FRICTION_SEVERITIES,
  RELATIONSHIP_LABELS,
} from '../../domain/relationship/types.js'
import { STATEMENT_KINDS } from '../../domain/statement/types.js'
import { ENGAGEMENT_KINDS, ENGAGEMENT_STATUSES } from '../../domain/visit/types.js'
import {
  CountryCode,
  DelegationMember,
  Id,
  ImpreciseTimeInput,
  LongText,
  Person,
  PersonId,
  Place,
  Quote,
  ShortText,
  Sources,
  Texts,
} from './common.js'
import { commandExample } from './examples.js'

/**
 * The body of each command: the command's data without the ids the path carries, plus its
 * sources. Who issued it (the API key) and when (the server's clock) are not the caller's to say.
 */
function body<P extends TProperties>(command: string, description: string, properties: P) {
  return Type.Object(
    { ...properties, sources: Sources },
    { additionalProperties: false, description, examples: commandExample(command) },
  )
}

const People = (minItems: number) => Type.Array(Person, { minItems, maxItems: 50 })

const EngagementFields = {
  kind: Type.Enum(ENGAGEMENT_KINDS),
  title: ShortText,
  period: ImpreciseTimeInput,
  place: Type.Optional(Place),
  counterparts: Type.Optional(People(0)),
  status: Type.Enum(ENGAGEMENT_STATUSES, {
    description: 'tentative: planned; confirmed: officially confirmed',
  }),
}

export const ScheduleVisit = body('ScheduleVisit', 'Schedules a visit (ScheduleVisit)', {
  visitId: Type.Optional(Id),
  visitor: Person,
  destination: Place,
  period: ImpreciseTimeInput,
  purpose: Type.Optional(ShortText),
  delegation: Type.Optional(Type.Array(DelegationMember, { maxItems: 50 })),
})
export const RescheduleVisit = body('RescheduleVisit', 'Moves or refines the visit’s period', {
  period: ImpreciseTimeInput,
  reason: Type.Optional(LongText),
})
export const AddEngagement = body('AddEngagement', 'Adds an item to the itinerary', {
  engagement: Type.Object(
    { engagementId: Type.Optional(Id), ...EngagementFields },
    { additionalProperties: false },
  ),
})
export const ChangeEngagement = body('ChangeEngagement', 'Replaces fields of an engagement', {
  changes: Type.Object(
    {
      kind: Type.Optional(EngagementFields.kind),
      title: Type.Optional(ShortText),
      period: Type.Optional(ImpreciseTimeInput),
      place: Type.Optional(Place),
      counterparts: Type.Optional(People(0)),
      status: Type.Optional(EngagementFields.status),
    },
    { additionalProperties: false, minProperties: 1 },
  ),
})
export const RemoveEngagement = body(
  'RemoveEngagement',
  'The engagement was dropped from the itinerary',
  { reason: LongText },
)
export const AddDelegationMember = body('AddDelegationMember', 'Someone travels with the visitor', {
  member: DelegationMember,
})
export const RemoveDelegationMember = body(
  'RemoveDelegationMember',
  'Someone no longer travels with the visitor',
  { reason: Type.Optional(LongText) },
)
export const CancelVisit = body('CancelVisit', 'The visit will not take place', {
  reason: LongText,
})
export const CompleteVisit = body('CompleteVisit', 'The visit took place as recorded', {})

export const RecordCall = body('RecordCall', 'Records a call that took place', {
  callId: Type.Optional(Id),
  participants: People(2),
  date: ImpreciseTimeInput,
  initiatorId: Type.Optional(PersonId),
  topics: Type.Optional(Texts),
  readout: Type.Optional(LongText),
  quotes: Type.Optional(Type.Array(Quote, { maxItems: 50 })),
})

export const AnnounceMeeting = body('AnnounceMeeting', 'A meeting was announced', {
  meetingId: Type.Optional(Id),
  participants: People(2),
  place: Place,
  window: ImpreciseTimeInput,
  occasion: Type.Optional(ShortText),
  format: Type.Enum(MEETING_FORMATS),
  agenda: Type.Optional(Texts),
})
export const ConfirmMeeting = body(
  'ConfirmMeeting',
  'Fixes the date: inside the announced window, unless `reschedule` says the meeting moved',
  {
    date: ImpreciseTimeInput,
    place: Type.Optional(Place),
    reschedule: Type.Optional(Type.Boolean()),
  },
)
export const RescheduleMeeting = body('RescheduleMeeting', 'Moves the meeting’s window', {
  window: ImpreciseTimeInput,
  place: Type.Optional(Place),
  reason: Type.Optional(LongText),
})
export const RecordMeetingHeld = body('RecordMeetingHeld', 'The meeting took place', {
  date: ImpreciseTimeInput,
  place: Type.Optional(Place),
  participants: Type.Optional(People(2)),
  reschedule: Type.Optional(Type.Boolean()),
})
export const CancelMeeting = body('CancelMeeting', 'The meeting will not take place', {
  reason: LongText,
})
export const RecordMeetingOutcome = body('RecordMeetingOutcome', 'What the meeting produced', {
  outcomeId: Type.Optional(Id),
  summary: LongText,
  agreements: Type.Optional(Texts),
  topics: Type.Optional(Texts),
})

export const PublishStatement = body('PublishStatement', 'A readout or release as published', {
  statementId: Type.Optional(Id),
  kind: Type.Enum(STATEMENT_KINDS),
  issuer: Type.Object(
    { name: ShortText, country: CountryCode, personId: Type.Optional(PersonId) },
    { additionalProperties: false },
  ),
  title: ShortText,
  date: ImpreciseTimeInput,
  topics: Type.Optional(Texts),
  quotes: Type.Optional(Type.Array(Quote, { maxItems: 50 })),
  relatesTo: Type.Optional(
    Type.Array(
      Type.Object(
        { aggregate: Type.Enum(['call', 'meeting', 'visit']), id: Id },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
  ),
})

export const RecordFriction = body('RecordFriction', 'A point of friction between the pair', {
  frictionId: Type.Optional(Id),
  title: ShortText,
  description: LongText,
  severity: Type.Enum(FRICTION_SEVERITIES),
  since: Type.Optional(ImpreciseTimeInput),
  thirdParties: Type.Optional(Type.Array(CountryCode, { maxItems: 50 })),
  topics: Type.Optional(Texts),
})
export const ResolveFriction = body('ResolveFriction', 'An open friction was resolved', {
  resolution: LongText,
  date: Type.Optional(ImpreciseTimeInput),
})
export const RecordCooperation = body('RecordCooperation', 'The pair cooperates on a topic', {
  area: Type.Enum(COOPERATION_AREAS),
  topic: ShortText,
  description: Type.Optional(LongText),
  date: Type.Optional(ImpreciseTimeInput),
})
export const AssessRelationship = body(
  'AssessRelationship',
  'An analyst’s judgement of the relationship',
  {
    label: Type.Enum(RELATIONSHIP_LABELS),
    rationale: LongText,
    asOf: Type.Optional(ImpreciseTimeInput),
  },
)

export const CorrectFact = body(
  'CorrectFact',
  'Our record of an event was wrong: an RFC 7386 merge patch of its data. Dates in it are ' +
    'EDTF text ({ "edtf": … }); bounds (earliest, latest, precision) are computed, never sent.',
  {
    changes: Type.Object({}, { additionalProperties: true, minProperties: 1 }),
    reason: LongText,
  },
)
export const RetractFact = body('RetractFact', 'The event should never have been recorded', {
  reason: LongText,
})
