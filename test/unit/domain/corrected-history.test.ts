import t from 'tap'
import { correctionDecider } from '../../../src/domain/correction/index.js'
import { type Command, type Event, fold } from '../../../src/domain/decider.js'
import type { JsonObject } from '../../../src/domain/json.js'
import { meetingDecider } from '../../../src/domain/meeting/index.js'
import { relationshipDecider } from '../../../src/domain/relationship/index.js'
import type { Engagement, VisitCommand } from '../../../src/domain/visit/index.js'
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
  nov12,
  november,
  oct30,
  paris,
  rome,
  time,
} from './fixtures.js'
import { specFor } from './spec.js'

// An aggregate's state is the fold of its facts as corrected: a correction replaces the
// target's data where it stands in the history, a retraction takes the target out, and what
// came after it applies on top, as if the record had said so from the start.

type Stored = Event & { eventId: string }
type Decider = Parameters<typeof specFor>[0]

/**
 * A stream built as the application builds it: each command decided against the state folded
 * so far, its events given the ids e1, e2…; corrections decided by the correction decider.
 */
function history(decider: Decider) {
  const events: Stored[] = []
  const append = (produced: Event[]) => {
    const stored = produced.map((e) => ({ ...e, eventId: `e${events.length + 1}` }))
    events.push(...stored)
    return stored
  }
  const target = (e: Stored) => ({
    streamId: 's',
    eventId: e.eventId,
    eventType: e.type,
    data: e.data as JsonObject,
  })
  const corrections = () => fold(correctionDecider, events)
  return {
    events,
    /** Decides the command and appends its events; returns the last one. */
    record: (command: Command) =>
      append(decider.decide(command, fold(decider, events))).at(-1) as Stored,
    correct: (e: Stored, changes: object) =>
      append(
        correctionDecider.decide(
          {
            type: 'CorrectFact',
            data: { target: target(e), changes: changes as JsonObject, reason: 'misreported' },
            metadata: meta({ sources: [ap] }),
          },
          corrections(),
        ),
      ),
    retract: (e: Stored) =>
      append(
        correctionDecider.decide(
          {
            type: 'RetractFact',
            data: { target: target(e), reason: 'misreported' },
            metadata: meta({ sources: [ap] }),
          },
          corrections(),
        ),
      ),
  }
}

const visitId = 'v1'
const visitCommand = (type: VisitCommand['type'], data: object, m = meta()) =>
  ({ type, data: { visitId, ...data }, metadata: m }) as VisitCommand
const schedule = visitCommand('ScheduleVisit', {
  visitor: harris,
  destination: paris,
  period: november,
})
const speech: Engagement = {
  engagementId: 'g1',
  kind: 'speech',
  title: 'Speech at the Paris Peace Forum',
  period: nov11,
  counterparts: [],
  status: 'tentative',
}
const add = (engagement: Engagement) => visitCommand('AddEngagement', { engagement })
const change = (changes: object) =>
  visitCommand('ChangeEngagement', { engagementId: 'g1', changes })
const remove = visitCommand('RemoveEngagement', { engagementId: 'g1', reason: 'dropped' })
const visit = specFor(visitDecider)

function visitHistory() {
  const h = history(visitDecider as unknown as Decider)
  h.record(schedule)
  return h
}

t.test('correcting an added engagement after it was removed does not bring it back', async (t) => {
  const h = visitHistory()
  const added = h.record(add(speech))
  h.record(remove)
  h.correct(added, { engagement: { period: nov12 } })
  const state = fold(visitDecider, h.events as never[])
  t.match(state, { status: 'scheduled', visit: { engagements: [] } })
  visit(t)
    .given(h.events as never[])
    .when(change({ title: 'Speech' }))
    .thenThrows('unknown-engagement', '/engagementId')
})

t.test(
  'correcting an added engagement keeps the later changes of the fields it does not correct',
  async (t) => {
    const h = visitHistory()
    const added = h.record(add(speech))
    h.record(change({ status: 'confirmed' }))
    h.correct(added, { engagement: { period: nov12 } })
    const state = fold(visitDecider, h.events as never[])
    t.match(state, {
      visit: {
        engagements: [{ engagementId: 'g1', period: { edtf: '2021-11-12' }, status: 'confirmed' }],
      },
    })
    visit(t)
      .given(h.events as never[])
      .when(change({ status: 'confirmed' }))
      .thenThrows('engagement-unchanged', '/changes')
  },
)

t.test(
  'retracting the removal of an engagement that was added again keeps the one added again',
  async (t) => {
    const h = visitHistory()
    h.record(add(speech))
    const removed = h.record(remove)
    h.record(add({ ...speech, title: 'Keynote', status: 'confirmed' }))
    h.retract(removed)
    const state = fold(visitDecider, h.events as never[])
    t.match(state, {
      visit: { engagements: [{ engagementId: 'g1', title: 'Keynote', status: 'confirmed' }] },
    })
    t.equal(state.status === 'scheduled' && state.visit.engagements.length, 1)
    visit(t)
      .given(h.events as never[])
      .when(change({ title: 'Keynote' }))
      .thenThrows('engagement-unchanged', '/changes')
  },
)

t.test(
  'retracting the removal of a delegation member who joined again keeps the one who joined again',
  async (t) => {
    const h = visitHistory()
    h.record(visitCommand('AddDelegationMember', { member: { person: emhoff, role: 'spouse' } }))
    const removed = h.record(visitCommand('RemoveDelegationMember', { personId: emhoff.id }))
    h.record(
      visitCommand('AddDelegationMember', { member: { person: emhoff, role: 'Second Gentleman' } }),
    )
    h.retract(removed)
    t.match(fold(visitDecider, h.events as never[]), {
      visit: { delegation: [{ person: { id: emhoff.id }, role: 'Second Gentleman' }] },
    })
  },
)

t.test('correcting the period of a completed visit changes the visit’s period', async (t) => {
  const h = visitHistory()
  const completed = h.record(
    visitCommand('CompleteVisit', {}, meta({ at: '2021-12-01T00:00:00Z' })),
  )
  const period = time('2021-11-09/2021-11-13')
  h.correct(completed, { period })
  t.match(fold(visitDecider, h.events as never[]), {
    status: 'completed',
    visit: { period: { edtf: '2021-11-09/2021-11-13' } },
  })
})

t.test(
  'correcting the scheduled period after a reschedule keeps the rescheduled period',
  async (t) => {
    const h = visitHistory()
    h.record(visitCommand('RescheduleVisit', { period: time('2021-11-09/2021-11-13') }))
    const scheduled = h.events[0]!
    h.correct(scheduled, { period: time('2021-12') })
    t.match(fold(visitDecider, h.events as never[]), {
      visit: { period: { edtf: '2021-11-09/2021-11-13' } },
    })
    // …and with the reschedule retracted, the corrected scheduled period is the one in force.
    h.retract(h.events[1]!)
    t.match(fold(visitDecider, h.events as never[]), { visit: { period: { edtf: '2021-12' } } })
  },
)

t.test('a retracted scheduling leaves the visit retracted, whatever came after', async (t) => {
  const h = visitHistory()
  h.record(add(speech))
  h.retract(h.events[0]!)
  t.equal(fold(visitDecider, h.events as never[]).status, 'retracted')
  visit(t)
    .given(h.events as never[])
    .when(schedule)
    .thenThrows('visit-already-scheduled', '/visitId')
})

const meetingId = 'm1'
const meetingCommand = (type: string, data: object, m = meta()) =>
  ({ type, data: { meetingId, ...data }, metadata: m }) as Command
const announce = meetingCommand('AnnounceMeeting', {
  participants: [biden, macron],
  place: rome,
  window: laterThisMonth,
  format: 'sidelines',
})

t.test(
  'retracting that a confirmed meeting was held leaves it confirmed, date and all',
  async (t) => {
    const h = history(meetingDecider as unknown as Decider)
    h.record(announce)
    h.record(meetingCommand('ConfirmMeeting', { date: oct30 }))
    const held = h.record(
      meetingCommand('RecordMeetingHeld', { date: oct30 }, meta({ at: '2021-11-01T00:00:00Z' })),
    )
    h.retract(held)
    t.match(fold(meetingDecider, h.events as never[]), {
      status: 'confirmed',
      date: { edtf: '2021-10-30' },
    })
  },
)

t.test(
  'a confirmation corrected while the meeting was cancelled reads corrected once the cancellation is retracted',
  async (t) => {
    const h = history(meetingDecider as unknown as Decider)
    h.record(announce)
    const confirmed = h.record(meetingCommand('ConfirmMeeting', { date: oct30 }))
    const cancelled = h.record(meetingCommand('CancelMeeting', { reason: 'called off' }))
    h.correct(confirmed, { date: time('2021-10-29') })
    h.retract(cancelled)
    t.match(fold(meetingDecider, h.events as never[]), {
      status: 'confirmed',
      date: { edtf: '2021-10-29' },
    })
  },
)

const relationshipCommand = (type: string, data: object) =>
  ({ type, data: { dyad: ['US', 'FR'], ...data }, metadata: meta({ sources: [ap] }) }) as Command

t.test('retracting the latest assessment brings back the one before it', async (t) => {
  const h = history(relationshipDecider as unknown as Decider)
  h.record(relationshipCommand('AssessRelationship', { label: 'strained', rationale: 'AUKUS' }))
  const latest = h.record(
    relationshipCommand('AssessRelationship', { label: 'recovering', rationale: 'Rome' }),
  )
  h.retract(latest)
  t.match(fold(relationshipDecider, h.events as never[]), {
    assessment: { label: 'strained', rationale: 'AUKUS' },
  })
})

t.test('correcting one of two like cooperation records corrects that one', async (t) => {
  const h = history(relationshipDecider as unknown as Decider)
  const cooperation = { area: 'security', topic: 'Sahel' }
  h.record(relationshipCommand('RecordCooperation', cooperation))
  const second = h.record(relationshipCommand('RecordCooperation', cooperation))
  h.correct(second, { topic: 'Sahel and Libya' })
  t.match(fold(relationshipDecider, h.events as never[]), {
    cooperation: [{ topic: 'Sahel' }, { topic: 'Sahel and Libya' }],
  })
})
