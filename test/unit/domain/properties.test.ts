import fc from 'fast-check'
import t from 'tap'
import { type Command, type Decider, type Event, fold } from '../../../src/domain/decider.js'
import { canonicalJson } from '../../../src/domain/json.js'
import { meetingDecider } from '../../../src/domain/meeting/index.js'
import { relationshipDecider } from '../../../src/domain/relationship/index.js'
import { within } from '../../../src/domain/values/imprecise-time.js'
import { type VisitState, visitDecider } from '../../../src/domain/visit/index.js'
import {
  announce,
  friction,
  meetingSteps,
  relationshipSteps,
  schedule,
  visitSteps,
} from './arbitraries.js'
import {
  replays,
  run,
  type Step,
  type Stored,
  startingWith,
  withCorrections,
} from './property-steps.js'

const RUNS = { numRuns: 150 }
const loose = <C extends Command, E extends Event, S>(d: Decider<C, E, S>) =>
  d as unknown as Decider<Command, Event, S>

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
