import fc from 'fast-check'
import t from 'tap'
import type { Command, Decider, Event } from '../../../src/domain/decider.js'
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
import { replays, run, startingWith, withCorrections } from './property-steps.js'

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
