import type { CallCommand } from '../../../src/domain/call/index.js'
import type { CommandMetadata } from '../../../src/domain/decider.js'
import type { MeetingCommand } from '../../../src/domain/meeting/index.js'
import type {
  FrictionSeverity,
  RelationshipCommand,
} from '../../../src/domain/relationship/index.js'
import type { ImpreciseTime } from '../../../src/domain/values/imprecise-time.js'
import type { Person } from '../../../src/domain/values/person.js'
import type { Engagement, VisitCommand } from '../../../src/domain/visit/index.js'
import {
  biden,
  harris,
  laterThisMonth,
  macron,
  meta,
  nov11,
  november,
  paris,
  rome,
} from '../domain/fixtures.js'

export {
  ap,
  biden,
  blinken,
  draghi,
  emhoff,
  harris,
  macron,
  meta,
  paris,
  rome,
  time,
  washington,
  whiteHouse,
} from '../domain/fixtures.js'

/** Commands with plausible defaults, for given/when/then over the read models. */
export const visit = {
  schedule: (visitId = 'v1', data: object = {}, m: CommandMetadata = meta()): VisitCommand => ({
    type: 'ScheduleVisit',
    data: { visitId, visitor: harris, destination: paris, period: november, ...data },
    metadata: m,
  }),
  reschedule: (visitId: string, period: ImpreciseTime): VisitCommand => ({
    type: 'RescheduleVisit',
    data: { visitId, period },
    metadata: meta(),
  }),
  addEngagement: (
    visitId: string,
    engagement: Partial<Engagement> & { engagementId: string },
  ): VisitCommand => ({
    type: 'AddEngagement',
    data: {
      visitId,
      engagement: {
        kind: 'talks',
        title: 'Talks',
        period: nov11,
        counterparts: [macron],
        status: 'confirmed',
        ...engagement,
      },
    },
    metadata: meta(),
  }),
  changeEngagement: (
    visitId: string,
    engagementId: string,
    changes: Partial<Engagement>,
  ): VisitCommand => ({
    type: 'ChangeEngagement',
    data: { visitId, engagementId, changes },
    metadata: meta(),
  }),
  removeEngagement: (
    visitId: string,
    engagementId: string,
    reason = 'dropped from the programme',
  ): VisitCommand => ({
    type: 'RemoveEngagement',
    data: { visitId, engagementId, reason },
    metadata: meta(),
  }),
  addMember: (visitId: string, person: Person, role?: string): VisitCommand => ({
    type: 'AddDelegationMember',
    data: { visitId, member: role ? { person, role } : { person } },
    metadata: meta(),
  }),
  removeMember: (visitId: string, personId: string): VisitCommand => ({
    type: 'RemoveDelegationMember',
    data: { visitId, personId },
    metadata: meta(),
  }),
  cancel: (visitId: string, reason = 'postponed'): VisitCommand => ({
    type: 'CancelVisit',
    data: { visitId, reason },
    metadata: meta(),
  }),
  complete: (visitId: string): VisitCommand => ({
    type: 'CompleteVisit',
    data: { visitId },
    metadata: meta({ at: '2021-12-01T00:00:00Z' }),
  }),
}

export const call = (
  callId: string,
  date: ImpreciseTime,
  participants: Person[] = [biden, macron],
  m = meta(),
): CallCommand => ({
  type: 'RecordCall',
  data: { callId, participants, date, topics: ['Sahel'] },
  metadata: m,
})

export const meeting = {
  announce: (meetingId = 'm1', data: object = {}): MeetingCommand => ({
    type: 'AnnounceMeeting',
    data: {
      meetingId,
      participants: [biden, macron],
      place: rome,
      window: laterThisMonth,
      occasion: 'G20 summit',
      format: 'sidelines',
      ...data,
    },
    metadata: meta(),
  }),
  confirm: (meetingId: string, date: ImpreciseTime): MeetingCommand => ({
    type: 'ConfirmMeeting',
    data: { meetingId, date },
    metadata: meta(),
  }),
  reschedule: (meetingId: string, window: ImpreciseTime): MeetingCommand => ({
    type: 'RescheduleMeeting',
    data: { meetingId, window },
    metadata: meta(),
  }),
  held: (meetingId: string, date: ImpreciseTime): MeetingCommand => ({
    type: 'RecordMeetingHeld',
    data: { meetingId, date },
    metadata: meta({ at: '2021-11-01T00:00:00Z' }),
  }),
  cancel: (meetingId: string, reason = 'called off'): MeetingCommand => ({
    type: 'CancelMeeting',
    data: { meetingId, reason },
    metadata: meta(),
  }),
  outcome: (meetingId: string, outcomeId: string): MeetingCommand => ({
    type: 'RecordMeetingOutcome',
    data: { meetingId, outcomeId, summary: 'Agreed to work together', topics: ['Sahel'] },
    metadata: meta({ at: '2021-11-01T00:00:00Z' }),
  }),
}

const FR_US: [string, string] = ['US', 'FR']

export const relationship = {
  friction: (
    frictionId: string,
    severity: FrictionSeverity = 'serious',
    since?: ImpreciseTime,
    m = meta(),
  ): RelationshipCommand => ({
    type: 'RecordFriction',
    data: {
      dyad: FR_US,
      frictionId,
      title: 'AUKUS',
      description: 'The submarine deal',
      severity,
      ...(since ? { since } : {}),
    },
    metadata: m,
  }),
  resolve: (frictionId: string, date?: ImpreciseTime): RelationshipCommand => ({
    type: 'ResolveFriction',
    data: { dyad: FR_US, frictionId, resolution: 'Settled', ...(date ? { date } : {}) },
    metadata: meta(),
  }),
  cooperation: (
    topic: string,
    date?: ImpreciseTime,
    area: 'security' | 'agreement' = 'security',
  ): RelationshipCommand => ({
    type: 'RecordCooperation',
    data: { dyad: FR_US, area, topic, ...(date ? { date } : {}) },
    metadata: meta(),
  }),
  assess: (
    label: 'strained' | 'recovering' | 'normal' | 'close',
    rationale = 'Because',
  ): RelationshipCommand => ({
    type: 'AssessRelationship',
    data: { dyad: FR_US, label, rationale },
    metadata: meta(),
  }),
}
