import fc from 'fast-check'
import t from 'tap'
import { type Command, type Decider, type Event, fold } from '../../../src/domain/decider.js'
import { canonicalJson } from '../../../src/domain/json.js'
import { meetingDecider } from '../../../src/domain/meeting/index.js'
import { relationshipDecider } from '../../../src/domain/relationship/index.js'
import { within } from '../../../src/domain/values/imprecise-time.js'
import { type VisitState, visitDecider } from '../../../src/domain/visit/index.js'
import { paris, rome, washington } from './fixtures.js'
import {
  at,
  id,
  people,
  period,
  person,
  replays,
  run,
  type Step,
  type Stored,
  startingWith,
  step,
  withCorrections,
} from './property-steps.js'

const RUNS = { numRuns: 150 }
const loose = <C extends Command, E extends Event, S>(d: Decider<C, E, S>) =>
  d as unknown as Decider<Command, Event, S>

const visit = (type: string, data: object, when?: string) =>
  step(type, { visitId: 'v', ...data }, when)
const schedule = fc.record({ visitor: person, period }).map(({ visitor, period }) =>
  visit('ScheduleVisit', {
    visitor,
    destination: visitor.country === 'FR' ? washington : paris,
    period,
  }),
)
const often = <T>(arbitrary: fc.Arbitrary<T>) => ({ arbitrary, weight: 4 })
const visitSteps = fc.oneof(
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

/** What must hold of any visit that commands alone produced. */
function visitInvariants(state: VisitState): boolean {
  if (state.status === 'none') return true
  const { visit } = state
  const ids = [visit.visitor.id, ...visit.delegation.map((m) => m.person.id)]
  const engagementIds = visit.engagements.map((e) => e.engagementId)
  return (
    visit.engagements.every((e) => within(e.period, visit.period)) &&
    new Set(ids).size === ids.length &&
    new Set(engagementIds).size === engagementIds.length
  )
}

t.test(
  'evolve accepts whatever decide produced for visits, and replaying the stored events reproduces the state',
  async (t) => {
    fc.assert(
      fc.property(startingWith(schedule, visitSteps), (s) => replays(loose(visitDecider), s)),
      RUNS,
    )
    t.pass('visit streams replay')
  },
)

t.test(
  'a visit built by commands keeps its engagements inside its period and its people unique',
  async (t) => {
    const holds = (s: Parameters<typeof run>[1]) =>
      visitInvariants(run(loose(visitDecider), s).state)
    fc.assert(fc.property(startingWith(schedule, visitSteps), holds), RUNS)
    t.pass('invariants hold')
  },
)

t.test('visit streams with corrections and retractions replay to the same state', async (t) => {
  const steps = startingWith(schedule, withCorrections(visitSteps))
  fc.assert(
    fc.property(steps, (s) => replays(loose(visitDecider), s)),
    RUNS,
  )
  t.pass('corrected visit streams replay')
})

const meeting = (type: string, data: object, when?: string) =>
  step(type, { meetingId: 'm', ...data }, when)
const announce = fc
  .record({ a: person, b: person, window: period })
  .map(({ a, b, window }) =>
    meeting('AnnounceMeeting', { participants: [a, b], place: rome, window, format: 'sidelines' }),
  )
const meetingSteps = fc.oneof(
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

t.test(
  'evolve accepts whatever decide produced for meetings, corrections included, and replay reproduces the state',
  async (t) => {
    const steps = startingWith(announce, withCorrections(meetingSteps))
    fc.assert(
      fc.property(steps, (s) => replays(loose(meetingDecider), s)),
      RUNS,
    )
    t.pass('meeting streams replay')
  },
)

const relationship = (type: string, data: object) => step(type, { dyad: ['US', 'FR'], ...data })
const friction = fc
  .record({ frictionId: id('f'), severity: fc.constantFrom('minor', 'serious', 'severe') })
  .map((d) =>
    relationship('RecordFriction', { ...d, title: 'AUKUS', description: 'The submarine deal' }),
  )
const relationshipSteps = fc.oneof(
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

t.test(
  'evolve accepts whatever decide produced for relationships, corrections included, and replay reproduces the state',
  async (t) => {
    const steps = startingWith(friction, withCorrections(relationshipSteps))
    fc.assert(
      fc.property(steps, (s) => replays(loose(relationshipDecider), s)),
      RUNS,
    )
    t.pass('relationship streams replay')
  },
)

/**
 * The facts in force, each as its last correction says, in log order: worked out from the
 * stream alone, apart from any aggregate.
 */
function correctedFacts(stream: readonly Stored[]): Event[] {
  const facts = new Map<string, Event>()
  for (const e of stream) {
    const d = e.data as { target?: { eventId: string }; corrected?: unknown }
    const target = d.target?.eventId ?? ''
    if (e.type === 'FactRetracted') facts.delete(target)
    else if (e.type === 'FactCorrected') {
      const fact = facts.get(target)
      if (fact) facts.set(target, { ...fact, data: d.corrected })
    } else facts.set(e.eventId, { type: e.type, data: e.data })
  }
  return [...facts.values()]
}

/** A state without the facts it keeps; a retracted aggregate reads as one never recorded. */
function lifecycle(state: unknown): string {
  const { facts: _, ...rest } = state as { facts: unknown; status: string }
  return canonicalJson(rest.status === 'retracted' ? { status: 'none' } : rest)
}

/** Folding the stream, corrections and all, is folding its facts as corrected from the start. */
const foldsAsCorrected =
  <S>(decider: Decider<Command, Event, S>) =>
  (steps: Step[]): boolean => {
    const { state, stream } = run(decider, steps)
    return lifecycle(state) === lifecycle(fold(decider, correctedFacts(stream)))
  }

t.test(
  'a visit, a meeting and a relationship read as the fold of their facts as corrected, whatever the corrections and retractions',
  async (t) => {
    const cases = [
      [startingWith(schedule, withCorrections(visitSteps)), foldsAsCorrected(loose(visitDecider))],
      [
        startingWith(announce, withCorrections(meetingSteps)),
        foldsAsCorrected(loose(meetingDecider)),
      ],
      [
        startingWith(friction, withCorrections(relationshipSteps)),
        foldsAsCorrected(loose(relationshipDecider)),
      ],
    ] as const
    for (const [steps, holds] of cases) fc.assert(fc.property(steps, holds), RUNS)
    t.pass('every aggregate folds its facts as corrected')
  },
)

t.test('generated streams are long enough to mean something', async (t) => {
  const lengths = fc
    .sample(startingWith(schedule, withCorrections(visitSteps)), { numRuns: 100, seed: 1 })
    .map((s) => run(loose(visitDecider), s).stream.length)
  const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length
  t.ok(mean >= 3, `a visit stream holds ${mean.toFixed(1)} events on average`)
  t.ok(Math.max(...lengths) >= 8, `the longest holds ${Math.max(...lengths)}`)
  const corrected = fc
    .sample(startingWith(schedule, withCorrections(visitSteps)), { numRuns: 100, seed: 2 })
    .flatMap((s) => run(loose(visitDecider), s).stream)
    .filter((e) => e.type === 'FactCorrected' || e.type === 'FactRetracted')
  t.ok(corrected.length >= 20, `${corrected.length} corrections and retractions were decided`)
})
