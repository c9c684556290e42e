import { type CallCommand, callDecider } from './call/index.js'
import { type CorrectionCommand, correctionDecider } from './correction/index.js'
import type { Command, Decider, Event } from './decider.js'
import { ValidationError } from './errors.js'
import { type MeetingCommand, meetingDecider } from './meeting/index.js'
import {
  type RelationshipCommand,
  relationshipDecider,
  relationshipId,
} from './relationship/index.js'
import { type StatementCommand, statementDecider } from './statement/index.js'
import { type VisitCommand, visitDecider } from './visit/index.js'

/** Every decider, by aggregate name. */
export const DECIDERS = {
  visit: visitDecider,
  call: callDecider,
  meeting: meetingDecider,
  statement: statementDecider,
  relationship: relationshipDecider,
  correction: correctionDecider,
} as const
export type AggregateName = keyof typeof DECIDERS

/** A command together with the aggregate it goes to and that aggregate's id. */
export type Routed =
  | { aggregate: 'visit'; id: string; command: VisitCommand }
  | { aggregate: 'call'; id: string; command: CallCommand }
  | { aggregate: 'meeting'; id: string; command: MeetingCommand }
  | { aggregate: 'statement'; id: string; command: StatementCommand }
  | { aggregate: 'relationship'; id: string; command: RelationshipCommand }
  | { aggregate: 'correction'; id: string; command: CorrectionCommand }

export type DomainCommand = Routed['command']

/**
 * Which aggregate and id a command is for, read from its data: `visitId`, `callId`,
 * `meetingId`, `statementId`, the sorted dyad (`FR-US`), or a correction's target stream.
 */
export function route(command: DomainCommand): Routed {
  const c = command as Command & { data: Record<string, unknown> }
  const d = c.data
  switch (c.type) {
    case 'ScheduleVisit':
    case 'RescheduleVisit':
    case 'AddEngagement':
    case 'ChangeEngagement':
    case 'RemoveEngagement':
    case 'AddDelegationMember':
    case 'RemoveDelegationMember':
    case 'CancelVisit':
    case 'CompleteVisit':
      return { aggregate: 'visit', id: String(d.visitId), command: command as VisitCommand }
    case 'RecordCall':
      return { aggregate: 'call', id: String(d.callId), command: command as CallCommand }
    case 'PublishStatement':
      return {
        aggregate: 'statement',
        id: String(d.statementId),
        command: command as StatementCommand,
      }
    case 'RecordFriction':
    case 'ResolveFriction':
    case 'RecordCooperation':
    case 'AssessRelationship': {
      const [a, b] = d.dyad as [string, string]
      return {
        aggregate: 'relationship',
        id: relationshipId(a, b),
        command: command as RelationshipCommand,
      }
    }
    case 'CorrectFact':
    case 'RetractFact': {
      const target = d.target as { streamId: string }
      return { aggregate: 'correction', id: target.streamId, command: command as CorrectionCommand }
    }
    case 'AnnounceMeeting':
    case 'ConfirmMeeting':
    case 'RescheduleMeeting':
    case 'RecordMeetingHeld':
    case 'CancelMeeting':
    case 'RecordMeetingOutcome':
      return { aggregate: 'meeting', id: String(d.meetingId), command: command as MeetingCommand }
    default:
      throw new ValidationError(`unknown command ${c.type}`, [
        { field: '/type', rule: 'one-of', message: `${c.type} is not a command` },
      ])
  }
}

/** The decider of an aggregate, typed loosely for generic drivers (the application layer). */
export function deciderFor(aggregate: AggregateName): Decider<Command, Event, unknown> {
  return DECIDERS[aggregate] as unknown as Decider<Command, Event, unknown>
}
