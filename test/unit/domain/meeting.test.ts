import t from 'tap'
import type {
  MeetingAnnounced,
  MeetingCommand,
  MeetingEvent,
} from '../../../src/domain/meeting/index.js'
import { meetingDecider, meetingStreamId } from '../../../src/domain/meeting/index.js'
import { codeInteraction } from '../../../src/domain/relationship/interaction-coding.js'
import {
  biden,
  blinken,
  draghi,
  laterThisMonth,
  macron,
  meta,
  oct30,
  paris,
  rome,
  time,
  whiteHouse,
} from './fixtures.js'
import { specFor } from './spec.js'

const meeting = specFor(meetingDecider)
const meetingId = 'biden-macron-rome'
const sources = [whiteHouse]
const afterwards = meta({ at: '2021-11-01T09:00:00Z' })
const announcedAt = '2021-10-22T00:00:00.000Z'

const command = (type: MeetingCommand['type'], data: object, m = meta()) =>
  ({ type, data: { meetingId, ...data }, metadata: m }) as MeetingCommand
const announce = (data: object = {}) =>
  command('AnnounceMeeting', {
    participants: [biden, macron],
    place: rome,
    window: laterThisMonth,
    occasion: 'G20 summit in Rome',
    format: 'sidelines',
    ...data,
  })
const announced: MeetingAnnounced = {
  type: 'MeetingAnnounced',
  data: {
    meetingId,
    participants: [biden, macron],
    place: rome,
    window: laterThisMonth,
    occasion: 'G20 summit in Rome',
    format: 'sidelines',
    agenda: [],
    dyads: [['FR', 'US']],
    interactions: [codeInteraction('meeting-announced', ['FR', 'US'], announcedAt)],
    sources,
  },
}
const confirmed: MeetingEvent = {
  type: 'MeetingConfirmed',
  data: { meetingId, date: oct30, place: rome, dyads: [['FR', 'US']], sources },
}
const held: MeetingEvent = {
  type: 'MeetingHeld',
  data: {
    meetingId,
    date: oct30,
    place: rome,
    participants: [biden, macron],
    dyads: [['FR', 'US']],
    interactions: [],
    sources,
  },
}
const cancelled: MeetingEvent = {
  type: 'MeetingCancelled',
  data: { meetingId, reason: 'x', dyads: [['FR', 'US']], interactions: [], sources },
}

t.test('the meeting stream is meeting-<id>', async (t) => {
  t.equal(meetingStreamId('x'), 'meeting-x')
})

t.test(
  'AnnounceMeeting records participants, place, window, occasion and format, coded AGREE',
  async (t) => {
    const state = meeting(t).given([]).when(announce()).then([announced])
    t.match(state, {
      status: 'announced',
      meeting: { window: { edtf: '[2021-10-23..2021-10-31]' } },
    })
  },
)

t.test('AnnounceMeeting is refused for a meeting already announced', async (t) => {
  meeting(t)
    .given([announced])
    .when(announce())
    .thenThrows('meeting-already-announced', '/meetingId')
})

t.test(
  'AnnounceMeeting is refused for participants of one country, a bad format, or a bad place',
  async (t) => {
    meeting(t)
      .given([])
      .when(announce({ participants: [biden, blinken] }))
      .thenThrows('dyad-same-country', '/participants')
    meeting(t)
      .given([])
      .when(announce({ format: 'on the sidelines' }))
      .thenThrows('one-of', '/format')
    meeting(t)
      .given([])
      .when(announce({ place: { ...rome, country: 'ROM' } }))
      .thenThrows('iso-3166-1-alpha-2', '/place/country')
  },
)

t.test('ConfirmMeeting fixes a date inside the announced window', async (t) => {
  const state = meeting(t)
    .given([announced])
    .when(command('ConfirmMeeting', { date: oct30 }))
    .then([confirmed])
  t.equal(state.status, 'confirmed')
})

t.test(
  'ConfirmMeeting is refused for a date outside the window unless it says the meeting moved',
  async (t) => {
    const date = time('2021-11-02')
    meeting(t)
      .given([announced])
      .when(command('ConfirmMeeting', { date }))
      .thenThrows('meeting-date-outside-window', '/date')
    const state = meeting(t)
      .given([announced])
      .when(command('ConfirmMeeting', { date, reschedule: true }))
      .then([
        {
          type: 'MeetingRescheduled',
          data: {
            meetingId,
            window: date,
            previousWindow: laterThisMonth,
            place: rome,
            dyads: [['FR', 'US']],
            sources,
          },
        },
        {
          type: 'MeetingConfirmed',
          data: { meetingId, date, place: rome, dyads: [['FR', 'US']], sources },
        },
      ])
    t.match(state, { status: 'confirmed', meeting: { window: { edtf: '2021-11-02' } } })
  },
)

t.test('ConfirmMeeting is refused for a cancelled or unknown meeting', async (t) => {
  meeting(t)
    .given([announced, cancelled])
    .when(command('ConfirmMeeting', { date: oct30 }))
    .thenThrows('meeting-not-active', '/meetingId')
  meeting(t)
    .given([])
    .when(command('ConfirmMeeting', { date: oct30 }))
    .thenThrows('not-found')
})

t.test('RescheduleMeeting moves the window and undoes the confirmation', async (t) => {
  const window = time('2021-11')
  const state = meeting(t)
    .given([announced, confirmed])
    .when(command('RescheduleMeeting', { window, place: paris, reason: 'moved to Paris' }))
    .then([
      {
        type: 'MeetingRescheduled',
        data: {
          meetingId,
          window,
          previousWindow: laterThisMonth,
          place: paris,
          reason: 'moved to Paris',
          dyads: [['FR', 'US']],
          sources,
        },
      },
    ])
  t.match(state, { status: 'announced', meeting: { place: { city: 'Paris' } } })
})

t.test(
  'RescheduleMeeting is refused when nothing changes, or after the meeting was held',
  async (t) => {
    meeting(t)
      .given([announced])
      .when(command('RescheduleMeeting', { window: laterThisMonth }))
      .thenThrows('meeting-window-unchanged', '/window')
    meeting(t)
      .given([announced, held])
      .when(command('RescheduleMeeting', { window: time('2021-11') }))
      .thenThrows('meeting-not-active', '/meetingId')
  },
)

t.test('RecordMeetingHeld records the meeting, coded CONSULT third-party in Rome', async (t) => {
  const state = meeting(t)
    .given([announced, confirmed])
    .when(command('RecordMeetingHeld', { date: oct30 }, afterwards))
    .then([
      {
        type: 'MeetingHeld',
        data: {
          meetingId,
          date: oct30,
          place: rome,
          participants: [biden, macron],
          dyads: [['FR', 'US']],
          interactions: [
            codeInteraction('meeting-held-third-location', ['FR', 'US'], oct30.earliest!),
          ],
          sources,
        },
      },
    ])
  t.equal(state.status, 'held')
})

t.test('RecordMeetingHeld codes a meeting in one party’s country as CONSULT:visit', async (t) => {
  const [event] = meeting(t)
    .given([announced])
    .when(command('RecordMeetingHeld', { date: oct30, place: paris }, afterwards))
    .produced()
  t.match(event?.data, {
    interactions: [{ kind: 'meeting-held', plover: 'CONSULT', mode: 'visit' }],
  })
})

t.test('RecordMeetingHeld is refused for a date in the future of the command', async (t) => {
  meeting(t)
    .given([announced])
    .when(command('RecordMeetingHeld', { date: oct30 }))
    .thenThrows('meeting-held-in-future', '/date')
})

t.test('RecordMeetingHeld is refused outside the window unless rescheduled', async (t) => {
  const date = time('2021-10-20')
  meeting(t)
    .given([announced])
    .when(command('RecordMeetingHeld', { date }, afterwards))
    .thenThrows('meeting-date-outside-window', '/date')
  const events = meeting(t)
    .given([announced])
    .when(command('RecordMeetingHeld', { date, reschedule: true }, afterwards))
    .produced()
  t.strictSame(
    events.map((e) => e.type),
    ['MeetingRescheduled', 'MeetingHeld'],
  )
})

t.test('RecordMeetingHeld with other participants codes their dyads', async (t) => {
  const [event] = meeting(t)
    .given([announced])
    .when(
      command(
        'RecordMeetingHeld',
        { date: oct30, participants: [biden, macron, draghi] },
        afterwards,
      ),
    )
    .produced()
  t.strictSame(event?.data && (event.data as { dyads: unknown }).dyads, [
    ['FR', 'IT'],
    ['FR', 'US'],
    ['IT', 'US'],
  ])
})

t.test('CancelMeeting records that it will not happen, coded REJECT', async (t) => {
  const state = meeting(t)
    .given([announced, confirmed])
    .when(command('CancelMeeting', { reason: 'summit postponed' }))
    .then([
      {
        type: 'MeetingCancelled',
        data: {
          meetingId,
          reason: 'summit postponed',
          dyads: [['FR', 'US']],
          interactions: [codeInteraction('meeting-cancelled', ['FR', 'US'], announcedAt)],
          sources,
        },
      },
    ])
  t.match(state, { status: 'cancelled', date: { edtf: '2021-10-30' } })
})

t.test('CancelMeeting is refused once the meeting was held, or without a reason', async (t) => {
  meeting(t)
    .given([announced, held])
    .when(command('CancelMeeting', { reason: 'x' }))
    .thenThrows('meeting-not-active', '/meetingId')
  meeting(t).given([announced]).when(command('CancelMeeting', {})).thenThrows('required', '/reason')
})

t.test('RecordMeetingOutcome adds an outcome to a held meeting', async (t) => {
  const outcome = {
    outcomeId: 'o1',
    summary: 'Agreed to deepen cooperation',
    agreements: [],
    topics: ['defence'],
  }
  const state = meeting(t)
    .given([announced, held])
    .when(
      command('RecordMeetingOutcome', {
        outcomeId: 'o1',
        summary: outcome.summary,
        topics: ['defence'],
      }),
    )
    .then([{ type: 'MeetingOutcomeRecorded', data: { meetingId, outcome, sources } }])
  t.match(state, { status: 'held', outcomes: [{ outcomeId: 'o1' }] })
})

t.test(
  'RecordMeetingOutcome is refused before the meeting was held, or for an outcome id used',
  async (t) => {
    meeting(t)
      .given([announced])
      .when(command('RecordMeetingOutcome', { outcomeId: 'o1', summary: 's' }))
      .thenThrows('meeting-not-held', '/meetingId')
    const outcome: MeetingEvent = {
      type: 'MeetingOutcomeRecorded',
      data: {
        meetingId,
        outcome: { outcomeId: 'o1', summary: 's', agreements: [], topics: [] },
        sources,
      },
    }
    meeting(t)
      .given([announced, held, outcome])
      .when(command('RecordMeetingOutcome', { outcomeId: 'o1', summary: 's' }))
      .thenThrows('outcome-id-taken', '/outcomeId')
  },
)
