import fc from 'fast-check'
import t from 'tap'
import { canonicalJson } from '../../../src/domain/json.js'
import { type VisitState, visitDecider } from '../../../src/domain/visit/index.js'
import { itineraryProjection } from '../../../src/projections/itinerary/index.js'
import type { VisitDoc } from '../../../src/projections/itinerary/types.js'
import type { ProjectedEvent } from '../../../src/projections/projection.js'
import { replay } from '../../../src/projections/replay.js'
import { historiesWith, recordHistory } from './arbitraries.js'
import { biden, blinken, emhoff, harris, meta, paris, time, visit, washington } from './commands.js'
import type { Recorder } from './scenario.js'

// The visit aggregate (what commands are decided against) and the itinerary (what readers
// see) fold the same facts as corrected, each in its own way: they must agree on what both know.

const RUNS = { numRuns: 100 }

/** What both know of an engagement; the itinerary adds timing, place and revisions. */
const engagementOutline = (e: {
  engagementId: string
  kind: string
  title: string
  period: { edtf: string }
  counterparts: { id: string }[]
  status: string
}) => [e.engagementId, e.kind, e.title, e.period.edtf, e.counterparts.map((p) => p.id), e.status]

/** What both the visit aggregate and the itinerary know: status, period, what is planned, who goes. */
function outline(state: VisitState) {
  if (state.status === 'none' || state.status === 'retracted') return null
  const { visit } = state
  // The itinerary shows every engagement of a cancelled visit as cancelled.
  const status = (e: { status: string }) => (state.status === 'cancelled' ? 'cancelled' : e.status)
  return {
    status: state.status,
    cancellation: state.status === 'cancelled' ? state.reason : null,
    visitor: visit.visitor.id,
    purpose: visit.purpose ?? null,
    period: visit.period,
    engagements: visit.engagements
      .map((e) => engagementOutline({ ...e, status: status(e) }))
      .sort(),
    delegation: visit.delegation.map((m) => [m.person.id, m.role ?? null]).sort(),
  }
}

function outlineOf(doc: VisitDoc | undefined) {
  if (!doc) return null
  // The aggregate forgets a removed engagement; the itinerary shows it, cancelled.
  const planned = doc.engagements.filter((e) => e.cancellation?.by !== 'engagement-removed')
  return {
    status: doc.status,
    cancellation: doc.cancellation?.reason ?? null,
    visitor: doc.visitor.id,
    purpose: doc.purpose ?? null,
    period: doc.period,
    engagements: planned.map(engagementOutline).sort(),
    delegation: doc.delegation.map((m) => [m.person.id, m.role ?? null]).sort(),
  }
}

/** The visit's state folded from its stream as the log gives it back: ids, data as JSON. */
function aggregateOf(events: ProjectedEvent[], visitId: string): VisitState {
  return events
    .filter((e) => e.streamId === `visit-${visitId}`)
    .reduce(
      (s, e) => visitDecider.evolve(s, { eventId: e.eventId, type: e.type, data: e.data } as never),
      visitDecider.initialState(),
    )
}

function agree(events: ProjectedEvent[]): boolean {
  const docs = replay(itineraryProjection, events)
  return ['v1', 'v2'].every((id) => {
    const doc = docs.get(`visit:${id}`) as unknown as VisitDoc | undefined
    return canonicalJson(outline(aggregateOf(events, id))) === canonicalJson(outlineOf(doc))
  })
}

t.test(
  'without corrections, every visit’s itinerary agrees with the visit aggregate’s own state',
  async () => {
    fc.assert(fc.property(historiesWith({ corrections: false }), agree), RUNS)
  },
)

t.test(
  'with corrections and retractions of any earlier fact, every visit’s itinerary still agrees with the visit aggregate’s state',
  async () => {
    fc.assert(fc.property(historiesWith({ corrections: true }), agree), RUNS)
  },
)

const pick = <T>(...values: T[]) => fc.constantFrom(...values)
type Step = (r: Recorder) => ReturnType<typeof visit.schedule> | undefined
const always =
  (command: ReturnType<typeof visit.schedule>): Step =>
  () =>
    command
const visitPeriod = pick(...['2021-11', '2021-11-09/2021-11-13'].map((e) => time(e)))
const inNovember = pick(
  ...['2021-11-11', '2021-11-12', '2021-11-10T15:00:00+01:00', '2021-11', '2021-12'].map((e) =>
    time(e),
  ),
)
const engagementId = pick('g1', 'g2')

/** One visit's commands, on few engagements and people, so that they act on each other. */
const visitStep = fc.oneof(
  { weight: 1, arbitrary: visitPeriod.map((p) => always(visit.reschedule('v1', p))) },
  {
    weight: 5,
    arbitrary: fc
      .record({
        engagementId,
        period: inNovember,
        title: pick('Talks', 'Dinner'),
        status: pick('confirmed' as const, 'tentative' as const),
      })
      .map((e) => always(visit.addEngagement('v1', e))),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ id: engagementId, period: inNovember, status: pick('confirmed' as const) })
      .map(({ id, ...changes }) => always(visit.changeEngagement('v1', id, changes))),
  },
  { weight: 3, arbitrary: engagementId.map((id) => always(visit.removeEngagement('v1', id))) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(pick(emhoff, biden), pick('spouse', 'adviser'))
      .map(([p, role]) => always(visit.addMember('v1', p, role))),
  },
  {
    weight: 2,
    arbitrary: pick(emhoff.id, biden.id).map((id) => always(visit.removeMember('v1', id))),
  },
  { weight: 1, arbitrary: fc.constant(always(visit.cancel('v1'))) },
  {
    weight: 1,
    arbitrary: fc.constant(
      always({ ...visit.complete('v1'), metadata: meta({ at: '2022-01-01T00:00:00Z' }) }),
    ),
  },
)

/** A correction of a fact of the visit: a new time where it has one, else new words. */
function patchFor(type: string, p: ReturnType<typeof time>): object {
  const patches: Record<string, object> = {
    VisitScheduled: { period: p, purpose: 'Corrected' },
    VisitRescheduled: { period: p },
    VisitCompleted: { period: p },
    ItineraryEngagementAdded: { engagement: { period: p, title: 'Corrected' } },
    ItineraryEngagementChanged: { engagement: { title: 'Corrected' } },
    DelegationMemberAdded: { member: { role: 'Corrected' } },
  }
  return patches[type] ?? { reason: 'Corrected' }
}

/** Corrects or retracts a fact of the visit, picked by index; its scheduling is never retracted here. */
const revision = fc.record({ index: fc.nat(), retract: fc.boolean(), p: inNovember }).map(
  ({ index, retract, p }): Step =>
    (r) => {
      const facts = r.events.filter((e) => !e.type.startsWith('Fact'))
      const target = facts[index % facts.length]!
      if (retract && target.type !== 'VisitScheduled') r.retract(target.eventId)
      else r.correct(target.eventId, patchFor(target.type, p))
      return undefined
    },
)

/** Histories of one visit in which about one step in three corrects or retracts an earlier fact. */
const visitHistories = fc
  .tuple(
    fc.record({ visitor: pick(harris, blinken), period: visitPeriod }),
    fc.array(fc.oneof({ weight: 2, arbitrary: visitStep }, { weight: 1, arbitrary: revision }), {
      minLength: 5,
      maxLength: 30,
    }),
  )
  .map(([first, rest]) => {
    const destination = first.visitor.country === 'FR' ? washington : paris
    const schedule = always(visit.schedule('v1', { ...first, destination }))
    return recordHistory([schedule, ...rest])
  })

t.test(
  'a visit whose engagements, delegation and times are corrected and retracted in any order reads the same in the aggregate and the itinerary',
  async () => {
    fc.assert(fc.property(visitHistories, agree), RUNS)
  },
)

t.test('the histories correct and retract visit facts of every kind', async (t) => {
  const revised = fc.sample(visitHistories, { numRuns: 200, seed: 3 }).flatMap((events) => {
    const types = new Map(events.map((e) => [e.eventId, e.type]))
    return events.flatMap((e) => {
      if (!e.streamId.startsWith('visit-') || !e.type.startsWith('Fact')) return []
      const target = (e.data as { target: { eventId: string } }).target.eventId
      return [`${e.type} ${types.get(target)}`]
    })
  })
  const kinds = new Set(revised)
  for (const kind of [
    'FactCorrected ItineraryEngagementAdded',
    'FactCorrected ItineraryEngagementChanged',
    'FactRetracted ItineraryEngagementRemoved',
    'FactRetracted DelegationMemberRemoved',
    'FactCorrected VisitScheduled',
    'FactCorrected VisitCompleted',
    'FactRetracted VisitRescheduled',
  ])
    t.ok(kinds.has(kind), `${kind} occurs`)
  t.ok(revised.length >= 500, `${revised.length} corrections and retractions of visit facts`)
})
