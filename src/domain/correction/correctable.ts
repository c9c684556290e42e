import { checkCallFields } from '../call/decide.js'
import type { Command } from '../decider.js'
import { checkMeetingCommand } from '../meeting/validate.js'
import { checkRelationshipCommand } from '../relationship/validate.js'
import type { Violations } from '../rules.js'
import { checkStatementFields } from '../statement/decide.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import { checkOptionalText } from '../values/text.js'
import { checkVisitCommand } from '../visit/validate.js'

// Event data is read loosely here: it has been checked by the aggregate that wrote it.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Data = any

/** How one event type may be corrected. */
export interface Correctable {
  /** Top-level fields a correction may change; the rest are ids or derived. */
  fields: readonly string[]
  /** What no correction may change: the ids, and what the interaction coding was derived from. */
  identity: (data: Data) => unknown
  /** Checks the corrected data, reporting fields as the aggregate's own command would. */
  check: (v: Violations, data: Data) => void
  /** The time the event's interactions happened at, re-derived from corrected data. */
  time?: (data: Data) => ImpreciseTime | undefined
}

const as = (type: string, data: Data) => ({ type, data, metadata: undefined }) as unknown as Command
const countries = (people: { country: string }[] | undefined) =>
  [...new Set((people ?? []).map((p) => p.country))].sort()

const visit = (
  type: string,
  fields: string[],
  identity: Correctable['identity'] = (d) => d.visitId,
) => ({
  fields,
  identity,
  check: (v: Violations, d: Data) => checkVisitCommand(v, as(type, d) as never),
})
const meeting = (
  type: string,
  fields: string[],
  identity: Correctable['identity'] = (d) => d.meetingId,
) => ({
  fields,
  identity,
  check: (v: Violations, d: Data) => checkMeetingCommand(v, as(type, d) as never),
})
const relationship = (
  type: string,
  fields: string[],
  identity: Correctable['identity'] = (d) => d.dyad,
) => ({
  fields,
  identity,
  check: (v: Violations, d: Data) => checkRelationshipCommand(v, as(type, d) as never),
})

/** Every event type that a `CorrectFact` or `RetractFact` may point at. */
export const CORRECTABLE: Readonly<Record<string, Correctable>> = {
  VisitScheduled: visit(
    'ScheduleVisit',
    ['visitor', 'destination', 'period', 'purpose', 'delegation'],
    (d) => [d.visitId, d.visitor?.country, d.destination?.country],
  ),
  VisitRescheduled: visit('RescheduleVisit', ['period', 'reason'], (d) => [
    d.visitId,
    d.previousPeriod,
  ]),
  VisitCancelled: visit('CancelVisit', ['reason']),
  VisitCompleted: { ...visit('RescheduleVisit', ['period']), time: (d) => d.period },
  ItineraryEngagementAdded: visit('AddEngagement', ['engagement'], (d) => [
    d.visitId,
    d.engagement?.engagementId,
  ]),
  ItineraryEngagementChanged: visit('AddEngagement', ['engagement'], (d) => [
    d.visitId,
    d.engagement?.engagementId,
  ]),
  ItineraryEngagementRemoved: visit('CancelVisit', ['reason'], (d) => [d.visitId, d.engagementId]),
  DelegationMemberAdded: visit('AddDelegationMember', ['member'], (d) => [
    d.visitId,
    d.member?.person?.id,
  ]),
  DelegationMemberRemoved: {
    fields: ['reason'],
    identity: (d) => [d.visitId, d.member?.person?.id],
    check: (v, d) => checkOptionalText(v, d.reason, '/reason'),
  },
  CallRecorded: {
    fields: ['participants', 'date', 'initiatorId', 'topics', 'readout', 'quotes'],
    identity: (d) => [d.callId, countries(d.participants)],
    check: checkCallFields,
    time: (d) => d.date,
  },
  MeetingAnnounced: meeting(
    'AnnounceMeeting',
    ['participants', 'place', 'window', 'occasion', 'format', 'agenda'],
    (d) => [d.meetingId, countries(d.participants)],
  ),
  MeetingConfirmed: meeting('ConfirmMeeting', ['date', 'place']),
  MeetingRescheduled: meeting('RescheduleMeeting', ['window', 'place', 'reason'], (d) => [
    d.meetingId,
    d.previousWindow,
  ]),
  MeetingHeld: {
    ...meeting('RecordMeetingHeld', ['date', 'place', 'participants'], (d) => [
      d.meetingId,
      countries(d.participants),
      d.place?.country,
    ]),
    time: (d) => d.date,
  },
  MeetingCancelled: meeting('CancelMeeting', ['reason']),
  MeetingOutcomeRecorded: {
    fields: ['outcome'],
    identity: (d) => [d.meetingId, d.outcome?.outcomeId],
    check: (v, d) =>
      checkMeetingCommand(
        v,
        as('RecordMeetingOutcome', { meetingId: d.meetingId, ...d.outcome }) as never,
      ),
  },
  StatementPublished: {
    fields: ['kind', 'issuer', 'title', 'date', 'topics', 'quotes', 'relatesTo'],
    identity: (d) => d.statementId,
    check: checkStatementFields,
  },
  FrictionRecorded: {
    ...relationship(
      'RecordFriction',
      ['title', 'description', 'since', 'thirdParties', 'topics'],
      (d) => [d.dyad, d.frictionId, d.severity],
    ),
    time: (d) => d.since,
  },
  FrictionResolved: relationship('ResolveFriction', ['resolution', 'date'], (d) => [
    d.dyad,
    d.frictionId,
  ]),
  CooperationRecorded: {
    ...relationship('RecordCooperation', ['topic', 'description', 'date'], (d) => [d.dyad, d.area]),
    time: (d) => d.date,
  },
  RelationshipAssessed: relationship('AssessRelationship', ['label', 'rationale', 'asOf']),
}
