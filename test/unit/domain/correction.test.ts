import t from 'tap'
import type { CallRecorded } from '../../../src/domain/call/index.js'
import type { CorrectionCommand } from '../../../src/domain/correction/index.js'
import { correctionDecider } from '../../../src/domain/correction/index.js'
import type { Event } from '../../../src/domain/decider.js'
import type { JsonObject } from '../../../src/domain/json.js'
import { meetingDecider } from '../../../src/domain/meeting/index.js'
import { relationshipDecider } from '../../../src/domain/relationship/index.js'
import { visitDecider } from '../../../src/domain/visit/index.js'
import {
  ap,
  biden,
  emhoff,
  harris,
  laterThisMonth,
  macron,
  meta,
  nov11,
  november,
  oct22,
  oct30,
  paris,
  rome,
  time,
} from './fixtures.js'
import { specFor } from './spec.js'

const correction = specFor(correctionDecider)
const m = meta({ sources: [ap] })
const sources = [ap]
const visitId = 'v1'
const streamId = 'visit-v1'

/** Stream events with the ids the store would give them. */
const stored = <E extends Event>(...events: E[]) =>
  events.map((e, i) => ({ ...e, eventId: `e${i + 1}` }))
const target = (e: Event & { eventId: string }) => ({
  streamId,
  eventId: e.eventId,
  eventType: e.type,
  data: e.data as JsonObject,
})
const retract = (e: Event & { eventId: string }): CorrectionCommand => ({
  type: 'RetractFact',
  data: { target: target(e), reason: 'misreported' },
  metadata: m,
})
const correct = (e: Event & { eventId: string }, changes: object): CorrectionCommand => ({
  type: 'CorrectFact',
  data: { target: target(e), changes: changes as JsonObject, reason: 'misreported' },
  metadata: m,
})

const [scheduled, added, member, cancelled] = stored(
  ...visitDecider.decide(
    {
      type: 'ScheduleVisit',
      data: { visitId, visitor: harris, destination: paris, period: november },
      metadata: m,
    },
    visitDecider.initialState(),
  ),
  {
    type: 'ItineraryEngagementAdded',
    data: {
      visitId,
      engagement: {
        engagementId: 'g1',
        kind: 'speech',
        title: 'Speech',
        period: nov11,
        counterparts: [],
        status: 'confirmed',
      },
      sources,
    },
  },
  { type: 'DelegationMemberAdded', data: { visitId, member: { person: emhoff }, sources } },
  {
    type: 'VisitCancelled',
    data: { visitId, reason: 'x', dyad: ['FR', 'US'], interactions: [], sources },
  },
)
const visitStream = [scheduled!, added!, member!]

/** Decides a correction against the stream, as the application layer would, and folds it in. */
function apply(stream: Event[], command: CorrectionCommand) {
  const state = stream.reduce(correctionDecider.evolve, correctionDecider.initialState())
  return [...stream, ...correctionDecider.decide(command, state)]
}

t.test('RetractFact records the retraction with what the fact said', async (t) => {
  correction(t)
    .given(visitStream)
    .when(retract(scheduled!))
    .then([
      {
        type: 'FactRetracted',
        data: {
          target: { streamId, eventId: 'e1', eventType: 'VisitScheduled' },
          retracted: scheduled!.data as unknown as JsonObject,
          reason: 'misreported',
          sources,
        },
      },
    ])
})

t.test(
  'a retracted VisitScheduled leaves the visit retracted, and it accepts no changes',
  async (t) => {
    const events = apply(visitStream, retract(scheduled!)) as never[]
    const state = events.reduce(visitDecider.evolve, visitDecider.initialState())
    t.equal(state.status, 'retracted')
    t.throws(
      () =>
        visitDecider.decide(
          { type: 'CancelVisit', data: { visitId, reason: 'x' }, metadata: m },
          state,
        ),
      { code: 'visit-not-active' },
    )
  },
)

t.test(
  'a retracted cancellation puts the visit back as scheduled: our record was wrong, not the visit',
  async (t) => {
    const events = apply([...visitStream, cancelled!], retract(cancelled!)) as never[]
    t.equal(events.reduce(visitDecider.evolve, visitDecider.initialState()).status, 'scheduled')
  },
)

t.test('retracting an added engagement or delegation member removes it', async (t) => {
  const events = apply(apply(visitStream, retract(added!)), retract(member!)) as never[]
  const state = events.reduce(visitDecider.evolve, visitDecider.initialState())
  t.match(state, { status: 'scheduled', visit: { engagements: [], delegation: [] } })
})

t.test('CorrectFact replaces the fields its merge patch gives and keeps the rest', async (t) => {
  const period = time('2021-11-10')
  const [event] = correction(t)
    .given(visitStream)
    .when(correct(added!, { engagement: { period } }))
    .produced()
  t.match(event?.data, {
    changes: { engagement: { period } },
    corrected: { engagement: { engagementId: 'g1', title: 'Speech', period } },
  })
  const state = apply(visitStream, correct(added!, { engagement: { period } })).reduce(
    visitDecider.evolve as never,
    visitDecider.initialState(),
  )
  t.match(state, {
    visit: { engagements: [{ engagementId: 'g1', period: { edtf: '2021-11-10' } }] },
  })
})

t.test('a correction of the visit itself changes its period, purpose and delegation', async (t) => {
  const events = apply(
    visitStream,
    correct(scheduled!, {
      period: time('2021-11-09/2021-11-13'),
      purpose: 'Talks',
      delegation: [{ person: emhoff }],
    }),
  )
  const state = events.reduce(
    visitDecider.evolve as never,
    visitDecider.initialState(),
  ) as ReturnType<typeof visitDecider.initialState>
  t.match(state, {
    status: 'scheduled',
    visit: {
      period: { edtf: '2021-11-09/2021-11-13' },
      purpose: 'Talks',
      delegation: [{ person: { id: 'douglas-emhoff' } }],
    },
  })
})

t.test('a second correction starts from what the first one said', async (t) => {
  const once = apply(visitStream, correct(scheduled!, { purpose: 'Talks' }))
  const [event] = correction(t)
    .given(once)
    .when(correct(scheduled!, { purpose: 'Talks with Macron' }))
    .produced()
  t.match(event?.data, {
    original: { purpose: 'Talks' },
    corrected: { purpose: 'Talks with Macron' },
  })
})

t.test('CorrectFact is refused for ids, derived fields, or what the fact is about', async (t) => {
  correction(t)
    .given(visitStream)
    .when(correct(scheduled!, { visitId: 'v2' }))
    .thenThrows('correction-field-not-correctable', '/changes/visitId')
  correction(t)
    .given(visitStream)
    .when(correct(scheduled!, { interactions: [] }))
    .thenThrows('correction-field-not-correctable', '/changes/interactions')
  correction(t)
    .given(visitStream)
    .when(correct(scheduled!, { destination: { ...rome } }))
    .thenThrows('correction-changes-identity', '/changes')
  correction(t)
    .given(visitStream)
    .when(correct(added!, { engagement: { engagementId: 'g2' } }))
    .thenThrows('correction-changes-identity', '/changes')
})

t.test('CorrectFact is refused for a corrected value that breaks the event’s rules', async (t) => {
  correction(t)
    .given(visitStream)
    .when(correct(scheduled!, { period: { ...november, edtf: 'soon' } }))
    .thenThrows('edtf-format', '/changes/period/edtf')
  correction(t)
    .given(visitStream)
    .when(correct(member!, { member: { person: { ...emhoff, country: 'UK' } } }))
    .thenThrows('iso-3166-1-alpha-2', '/changes/member/person/country')
})

t.test('CorrectFact is refused without changes or with changes that change nothing', async (t) => {
  correction(t)
    .given(visitStream)
    .when(correct(scheduled!, {}))
    .thenThrows('changes-required', '/changes')
  correction(t)
    .given(visitStream)
    .when(correct(scheduled!, { period: november }))
    .thenThrows('changes-required', '/changes')
})

t.test('a retracted fact can be neither corrected nor retracted again', async (t) => {
  const events = apply(visitStream, retract(added!))
  correction(t)
    .given(events)
    .when(retract(added!))
    .thenThrows('fact-already-retracted', '/target/eventId')
  correction(t)
    .given(events)
    .when(correct(added!, { engagement: { title: 'x' } }))
    .thenThrows('fact-already-retracted', '/target/eventId')
})

t.test('corrections themselves are not correctable facts', async (t) => {
  const [retraction] = stored(
    ...correctionDecider.decide(retract(added!), correctionDecider.initialState()),
  )
  correction(t)
    .given([])
    .when(retract(retraction!))
    .thenThrows('correction-target-not-correctable', '/target/eventType')
})

t.test('a correction needs a reason and a source', async (t) => {
  correction(t)
    .given(visitStream)
    .when({ ...retract(added!), data: { target: target(added!), reason: '' } } as CorrectionCommand)
    .thenThrows('required', '/reason')
  correction(t)
    .given(visitStream)
    .when({ ...retract(added!), metadata: meta({ sources: [] }) })
    .thenThrows('source-required', '/sources')
})

t.test(
  'correcting a call’s date moves when its interaction happened, not its coding',
  async (t) => {
    const call: CallRecorded = {
      type: 'CallRecorded',
      data: {
        callId: 'c1',
        participants: [biden, macron],
        date: oct22,
        topics: [],
        quotes: [],
        dyads: [['FR', 'US']],
        interactions: [],
        sources,
      },
    }
    const [recorded] = stored(
      ...(await import('../../../src/domain/call/index.js')).callDecider.decide(
        {
          type: 'RecordCall',
          data: { callId: 'c1', participants: [biden, macron], date: oct22 },
          metadata: m,
        },
        { status: 'none' },
      ),
    )
    t.ok(call)
    const [event] = correction(t)
      .given([recorded!])
      .when(correct(recorded!, { date: time('2021-10-21') }))
      .produced()
    t.match(event?.data, {
      corrected: { interactions: [{ cameo: '041', occurredAt: '2021-10-21T00:00:00.000Z' }] },
    })
    correction(t)
      .given([recorded!])
      .when(correct(recorded!, { participants: [biden, { ...macron, id: 'Q1', country: 'DE' }] }))
      .thenThrows('correction-changes-identity', '/changes')
  },
)

t.test('a retracted meeting cancellation restores the confirmed meeting', async (t) => {
  const ms = { ...m, at: '2021-10-23T09:00:00Z' }
  const announced = meetingDecider.decide(
    {
      type: 'AnnounceMeeting',
      data: {
        meetingId: 'm1',
        participants: [biden, macron],
        place: rome,
        window: laterThisMonth,
        format: 'sidelines',
      },
      metadata: ms,
    },
    meetingDecider.initialState(),
  )
  const confirmed = meetingDecider.decide(
    { type: 'ConfirmMeeting', data: { meetingId: 'm1', date: oct30 }, metadata: ms },
    announced.reduce(meetingDecider.evolve, meetingDecider.initialState()),
  )
  const events = stored(...announced, ...confirmed, {
    type: 'MeetingCancelled',
    data: { meetingId: 'm1', reason: 'x', dyads: [['FR', 'US']], interactions: [], sources },
  })
  const after = apply(events, retract(events[2]!)) as never[]
  t.match(after.reduce(meetingDecider.evolve, meetingDecider.initialState()), {
    status: 'confirmed',
    date: { edtf: '2021-10-30' },
  })
  const gone = apply(events, retract(events[0]!)) as never[]
  t.equal(gone.reduce(meetingDecider.evolve, meetingDecider.initialState()).status, 'retracted')
})

t.test('a retracted friction disappears; a retracted resolution reopens it', async (t) => {
  const rs = relationshipDecider
  const friction = rs.decide(
    {
      type: 'RecordFriction',
      data: {
        dyad: ['FR', 'US'],
        frictionId: 'f1',
        title: 'AUKUS',
        description: 'd',
        severity: 'serious',
      },
      metadata: m,
    },
    rs.initialState(),
  )
  const resolution = rs.decide(
    {
      type: 'ResolveFriction',
      data: { dyad: ['FR', 'US'], frictionId: 'f1', resolution: 'r' },
      metadata: m,
    },
    friction.reduce(rs.evolve, rs.initialState()),
  )
  const events = stored(...friction, ...resolution)
  t.match((apply(events, retract(events[1]!)) as never[]).reduce(rs.evolve, rs.initialState()), {
    frictions: [{ status: 'open' }],
  })
  t.match((apply(events, retract(events[0]!)) as never[]).reduce(rs.evolve, rs.initialState()), {
    frictions: [],
  })
})
