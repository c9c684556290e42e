import fc from 'fast-check'
import type { DomainCommand } from '../../../src/domain/deciders.js'
import { EntenteError } from '../../../src/domain/errors.js'
import type { ProjectedEvent } from '../../../src/projections/projection.js'
import {
  biden,
  blinken,
  call,
  draghi,
  emhoff,
  harris,
  macron,
  meeting,
  meta,
  paris,
  relationship,
  time,
  visit,
  washington,
} from './commands.js'
import { createRecorder, type Recorder } from './scenario.js'

/** A step of a history: a command, or a correction of an earlier event picked by index. */
type Step = (r: Recorder) => DomainCommand | undefined

const times = [
  '2021-11',
  '2021-11-11',
  '2021-11-12',
  '2021-11-09/2021-11-13',
  '2021-12',
  '[2021-10-23..2021-10-31]',
  '2021-10-30',
  '2021-11-10T15:00:00+01:00',
  '2021-09-15',
].map((e) => time(e))
const period = fc.constantFrom(...times)
/** Visit periods and engagement times that mostly fit them, so that few commands are refused. */
const visitPeriod = fc.constantFrom(
  ...['2021-11', '2021-11-09/2021-11-13', '2021-11'].map((e) => time(e)),
)
const inNovember = fc.constantFrom(
  ...['2021-11-11', '2021-11-12', '2021-11-10T15:00:00+01:00', '2021-11', '2021-12'].map((e) =>
    time(e),
  ),
)
const pick = <T>(...values: T[]) => fc.constantFrom(...values)
const always =
  (command: DomainCommand): Step =>
  () =>
    command

const visitId = pick('v1', 'v2')
const engagementId = pick('g1', 'g2', 'g3')
const schedule = fc
  .record({ id: visitId, visitor: pick(harris, blinken, macron), period: visitPeriod })
  .map(({ id, visitor, period }) => {
    const destination = visitor.country === 'FR' ? washington : paris
    return always(visit.schedule(id, { visitor, destination, period }))
  })
const addEngagement = fc
  .record({
    id: visitId,
    engagementId,
    period: inNovember,
    status: pick('confirmed' as const, 'tentative' as const),
  })
  .map(({ id, ...e }) => always(visit.addEngagement(id, e)))
const changeEngagement = fc
  .record({ id: visitId, engagementId, period: inNovember, title: pick('Talks', 'Dinner') })
  .map(({ id, engagementId, ...changes }) =>
    always(visit.changeEngagement(id, engagementId, changes)),
  )
const ending = fc.oneof(
  visitId.map((id) => always(visit.cancel(id))),
  visitId.map((id) =>
    always({ ...visit.complete(id), metadata: meta({ at: '2022-01-01T00:00:00Z' }) }),
  ),
)
const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary })
// Most of a visit's life is its itinerary; cancelling or completing ends it, so those are rarer.
const visitSteps = fc.oneof(
  weighted(1, schedule),
  weighted(
    1,
    fc.tuple(visitId, visitPeriod).map(([id, p]) => always(visit.reschedule(id, p))),
  ),
  weighted(5, addEngagement),
  weighted(3, changeEngagement),
  weighted(
    1,
    fc.tuple(visitId, engagementId).map(([id, e]) => always(visit.removeEngagement(id, e))),
  ),
  weighted(
    2,
    fc.tuple(visitId, pick(emhoff, biden, draghi)).map(([id, p]) => always(visit.addMember(id, p))),
  ),
  weighted(
    1,
    fc
      .tuple(visitId, pick(emhoff.id, biden.id))
      .map(([id, p]) => always(visit.removeMember(id, p))),
  ),
  weighted(1, ending),
)

const meetingSteps = fc.oneof(
  pick([biden, macron], [biden, macron, draghi]).map((participants) =>
    always(meeting.announce('m1', { participants })),
  ),
  period.map((p) => always(meeting.confirm('m1', p))),
  period.map((p) => always(meeting.reschedule('m1', p))),
  period.map((p) =>
    always({ ...meeting.held('m1', p), metadata: meta({ at: '2022-01-01T00:00:00Z' }) }),
  ),
  fc.constant(always(meeting.cancel('m1'))),
  pick('o1', 'o2').map((o) => always(meeting.outcome('m1', o))),
)

const relationshipSteps = fc.oneof(
  fc
    .tuple(pick('c1', 'c2', 'c3'), period, pick([biden, macron], [harris, macron, draghi]))
    .map(([id, p, who]) => always(call(id, p, who))),
  fc
    .tuple(
      pick('f1', 'f2'),
      pick('minor' as const, 'serious' as const, 'severe' as const),
      fc.option(period, { nil: undefined }),
    )
    .map(([id, s, since]) => always(relationship.friction(id, s, since))),
  fc
    .tuple(pick('f1', 'f2'), fc.option(period, { nil: undefined }))
    .map(([id, d]) => always(relationship.resolve(id, d))),
  fc
    .tuple(pick('Sahel', 'NATO'), fc.option(period, { nil: undefined }))
    .map(([topic, d]) => always(relationship.cooperation(topic, d))),
  pick('strained' as const, 'normal' as const).map((label) => always(relationship.assess(label))),
)

/** A plausible correction of each correctable type: a new time where it has one, else words. */
function patchFor(type: string, p: ReturnType<typeof time>): object {
  const patches: Record<string, object> = {
    VisitScheduled: { period: p, purpose: 'Corrected' },
    VisitRescheduled: { period: p },
    VisitCompleted: { period: p },
    ItineraryEngagementAdded: { engagement: { period: p, title: 'Corrected' } },
    ItineraryEngagementChanged: { engagement: { title: 'Corrected' } },
    DelegationMemberAdded: { member: { role: 'adviser' } },
    CallRecorded: { date: p },
    MeetingAnnounced: { window: p },
    MeetingConfirmed: { date: p },
    MeetingRescheduled: { window: p },
    MeetingHeld: { date: p },
    MeetingOutcomeRecorded: { outcome: { summary: 'Corrected' } },
    FrictionRecorded: { since: p },
    FrictionResolved: { date: p },
    CooperationRecorded: { date: p },
    RelationshipAssessed: { rationale: 'Corrected' },
  }
  return patches[type] ?? { reason: 'Corrected' }
}

const correctionSteps = fc.record({ index: fc.nat(), retract: fc.boolean(), p: period }).map(
  ({ index, retract, p }): Step =>
    (r) => {
      const facts = r.events.filter((e) => !e.type.startsWith('Fact'))
      const target = facts[index % Math.max(facts.length, 1)]
      if (!target) return undefined
      if (retract) r.retract(target.eventId)
      else r.correct(target.eventId, patchFor(target.type, p))
      return undefined
    },
)

/** Records the steps; refused commands (and corrections) record nothing. */
export function recordHistory(steps: readonly Step[]): ProjectedEvent[] {
  const r = createRecorder()
  for (const step of steps) {
    try {
      const command = step(r)
      if (command) r.record(command)
    } catch (error) {
      if (!(error instanceof EntenteError)) throw error
    }
  }
  return r.events
}

/** A visit and a meeting to begin with, so that the commands that follow mostly apply. */
const prelude = fc.tuple(
  fc
    .record({ visitor: pick(harris, blinken), period: visitPeriod })
    .map(({ visitor, period }) => always(visit.schedule('v1', { visitor, period }))),
  pick([biden, macron], [biden, macron, draghi]).map((participants) =>
    always(meeting.announce('m1', { participants })),
  ),
)

/** Histories over two visits, a meeting, calls and the FR-US relationship; `corrections` mixes
 * in corrections and retractions of earlier events. */
export const historiesWith = ({ corrections }: { corrections: boolean }) =>
  fc
    .tuple(
      prelude,
      fc.array(
        fc.oneof(
          { arbitrary: visitSteps, weight: 4 },
          { arbitrary: meetingSteps, weight: 2 },
          { arbitrary: relationshipSteps, weight: 2 },
          { arbitrary: correctionSteps, weight: corrections ? 2 : 0 },
        ),
        { minLength: 10, maxLength: 40, size: 'medium' },
      ),
    )
    .map(([first, rest]) => recordHistory([...first, ...rest]))

export const histories = historiesWith({ corrections: true })
