import fc from 'fast-check'
import { paris, rome, washington } from './fixtures.js'
import { at, id, people, period, person, step } from './property-steps.js'

/*
 * Command sequences per aggregate for the property tests: shared by the domain's properties
 * and by the test that every event the domain produces matches its published JSON Schema.
 */

const visit = (type: string, data: object, when?: string) =>
  step(type, { visitId: 'v', ...data }, when)
export const schedule = fc.record({ visitor: person, period }).map(({ visitor, period }) =>
  visit('ScheduleVisit', {
    visitor,
    destination: visitor.country === 'FR' ? washington : paris,
    period,
  }),
)
const often = <T>(arbitrary: fc.Arbitrary<T>) => ({ arbitrary, weight: 4 })
export const visitSteps = fc.oneof(
  often(schedule),
  often(period.map((period) => visit('RescheduleVisit', { period }))),
  often(
    fc
      .record({
        engagementId: id('g'),
        period,
        counterparts: fc.subarray(people, { maxLength: 2 }),
      })
      .map((e) =>
        visit('AddEngagement', {
          engagement: { ...e, kind: 'talks', title: 'Talks', status: 'confirmed' },
        }),
      ),
  ),
  often(
    fc
      .record({ engagementId: id('g'), period, title: fc.constantFrom('Talks', 'Dinner') })
      .map(({ engagementId, ...changes }) => visit('ChangeEngagement', { engagementId, changes })),
  ),
  often(
    id('g').map((engagementId) => visit('RemoveEngagement', { engagementId, reason: 'dropped' })),
  ),
  often(person.map((p) => visit('AddDelegationMember', { member: { person: p } }))),
  often(person.map((p) => visit('RemoveDelegationMember', { personId: p.id }))),
  // Rarer: after them the visit takes no more changes.
  { arbitrary: fc.constant(visit('CancelVisit', { reason: 'postponed' })), weight: 1 },
  { arbitrary: at.map((when) => visit('CompleteVisit', {}, when)), weight: 1 },
)

const meeting = (type: string, data: object, when?: string) =>
  step(type, { meetingId: 'm', ...data }, when)
export const announce = fc
  .record({ a: person, b: person, window: period })
  .map(({ a, b, window }) =>
    meeting('AnnounceMeeting', { participants: [a, b], place: rome, window, format: 'sidelines' }),
  )
export const meetingSteps = fc.oneof(
  announce,
  fc.record({ date: period, reschedule: fc.boolean() }).map((d) => meeting('ConfirmMeeting', d)),
  fc
    .record({ window: period, place: fc.constantFrom(rome, paris) })
    .map((d) => meeting('RescheduleMeeting', d)),
  fc
    .record({ date: period, reschedule: fc.boolean(), when: at })
    .map(({ when, ...d }) => meeting('RecordMeetingHeld', d, when)),
  fc.constant(meeting('CancelMeeting', { reason: 'postponed' })),
  id('o').map((outcomeId) => meeting('RecordMeetingOutcome', { outcomeId, summary: 'Agreed' })),
)

const relationship = (type: string, data: object) => step(type, { dyad: ['US', 'FR'], ...data })
export const friction = fc
  .record({ frictionId: id('f'), severity: fc.constantFrom('minor', 'serious', 'severe') })
  .map((d) =>
    relationship('RecordFriction', { ...d, title: 'AUKUS', description: 'The submarine deal' }),
  )
export const relationshipSteps = fc.oneof(
  friction,
  id('f').map((frictionId) =>
    relationship('ResolveFriction', { frictionId, resolution: 'mended' }),
  ),
  fc
    .record({
      area: fc.constantFrom('diplomatic', 'economic', 'security', 'agreement'),
      date: period,
    })
    .map((d) => relationship('RecordCooperation', { ...d, topic: 'Sahel' })),
  fc
    .constantFrom('strained', 'recovering', 'normal', 'close')
    .map((label) => relationship('AssessRelationship', { label, rationale: 'r' })),
)
