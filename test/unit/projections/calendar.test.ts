import t from 'tap'
import { calendarProjection as calendar } from '../../../src/projections/calendar/index.js'
import type { CalendarEntry, MeetingDoc } from '../../../src/projections/calendar/types.js'
import type { ReadModelRow } from '../../../src/projections/projection.js'
import { biden, call, draghi, emhoff, macron, meeting, time, visit } from './commands.js'
import { given } from './spec.js'

const entry = (row: ReadModelRow | undefined) => row?.doc as unknown as CalendarEntry
const summary = (rows: ReadModelRow[]) =>
  rows.map((r) => [r.kind, r.id, entry(r).status, entry(r).precision, r.earliest])

t.test(
  'every engagement of a visit is a row with its bounds, precision, countries, travellers and counterparts',
  async (t) => {
    const then = given(calendar, visit.schedule('v1'), visit.addMember('v1', emhoff)).when(
      visit.addEngagement('v1', { engagementId: 'g1', period: time('2021-11-11') }),
      visit.addEngagement('v1', {
        engagementId: 'g2',
        period: time('2021-11'),
        counterparts: [draghi],
      }),
    )
    const rows = then.rows()
    t.strictSame(summary(rows), [
      ['engagement', 'v1/g2', 'confirmed', 'month', '2021-11-01T00:00:00.000Z'],
      ['engagement', 'v1/g1', 'confirmed', 'day', '2021-11-11T00:00:00.000Z'],
    ])
    t.strictSame(rows[0]?.countries, ['FR', 'IT', 'US'], 'the counterpart’s country too')
    t.strictSame(rows[1]?.people, ['Q10853588', emhoff.id, macron.id])
    t.match(entry(rows[1]), {
      entry: 'engagement',
      visitId: 'v1',
      engagementId: 'g1',
      timing: 'days',
      place: { city: 'Paris' },
    })
  },
)

t.test('a call is one row, held, with its participants and their countries', async (t) => {
  const then = given(calendar).when(call('c1', time('2021-10-22')))
  const [row] = then.rows()
  t.match(row, {
    kind: 'call',
    id: 'c1',
    earliest: '2021-10-22T00:00:00.000Z',
    latest: '2021-10-22T23:59:59.999Z',
    countries: ['FR', 'US'],
    people: [biden.id, macron.id],
  })
  t.match(entry(row), {
    title: 'Call between Joe Biden and Emmanuel Macron',
    status: 'held',
    precision: 'day',
    revision: 0,
  })
})

t.test(
  'an announced meeting is tentative across its window, with the host country among its countries',
  async (t) => {
    const then = given(calendar).when(meeting.announce('m1'))
    const [row] = then.rows()
    t.match(row, {
      kind: 'meeting',
      id: 'm1',
      earliest: '2021-10-23T00:00:00.000Z',
      latest: '2021-10-31T23:59:59.999Z',
      countries: ['FR', 'IT', 'US'],
    })
    t.match(entry(row), {
      status: 'tentative',
      precision: 'set',
      kind: 'sidelines',
      occasion: 'G20 summit',
      title: /G20 summit/,
    })
  },
)

t.test(
  'a confirmed meeting is confirmed at its date; rescheduled, it is tentative across its new window',
  async (t) => {
    const g = given(calendar, meeting.announce('m1'))
    const confirmed = g.when(meeting.confirm('m1', time('2021-10-30')))
    t.strictSame(summary(confirmed.rows()), [
      ['meeting', 'm1', 'confirmed', 'day', '2021-10-30T00:00:00.000Z'],
    ])
    const moved = given(
      calendar,
      meeting.announce('m1'),
      meeting.confirm('m1', time('2021-10-30')),
    ).when(meeting.reschedule('m1', time('2021-11')))
    t.strictSame(summary(moved.rows()), [
      ['meeting', 'm1', 'tentative', 'month', '2021-11-01T00:00:00.000Z'],
    ])
    t.notOk(moved.doc<MeetingDoc>('meeting:m1')?.date, 'the confirmed date no longer holds')
  },
)

t.test('a held meeting is held at its date and keeps its outcomes', async (t) => {
  const then = given(calendar, meeting.announce('m1')).when(
    meeting.held('m1', time('2021-10-30')),
    meeting.outcome('m1', 'o1'),
  )
  t.strictSame(summary(then.rows()), [['meeting', 'm1', 'held', 'day', '2021-10-30T00:00:00.000Z']])
  t.match(then.doc<MeetingDoc>('meeting:m1'), {
    status: 'held',
    outcomes: [{ outcomeId: 'o1' }],
    revision: 2,
  })
})

t.test(
  'a cancelled meeting and a cancelled visit’s engagements stay in the calendar, cancelled',
  async (t) => {
    const then = given(
      calendar,
      meeting.announce('m1'),
      visit.schedule('v1'),
      visit.addEngagement('v1', { engagementId: 'g1' }),
    ).when(meeting.cancel('m1'), visit.cancel('v1'))
    t.strictSame(
      then.rows().map((r) => [r.id, entry(r).status]),
      [
        ['m1', 'cancelled'],
        ['v1/g1', 'cancelled'],
      ],
    )
  },
)

t.test('a retracted call or meeting disappears from the calendar', async (t) => {
  const g = given(calendar, call('c1', time('2021-10-22')), meeting.announce('m1'))
  const then = g.when(
    (r) => r.retract(r.last('CallRecorded').eventId),
    (r) => r.retract(r.last('MeetingAnnounced').eventId),
  )
  t.strictSame(then.rows(), [])
  t.equal(then.after.size, 0)
})

t.test(
  'a retracted confirmation makes the meeting tentative across its window again',
  async (t) => {
    const g = given(calendar, meeting.announce('m1'), meeting.confirm('m1', time('2021-10-30')))
    const then = g.when((r) => r.retract(r.last('MeetingConfirmed').eventId))
    t.strictSame(summary(then.rows()), [
      ['meeting', 'm1', 'tentative', 'set', '2021-10-23T00:00:00.000Z'],
    ])
  },
)

t.test('a corrected call date moves its row', async (t) => {
  const g = given(calendar, call('c1', time('2021-10-22')))
  const then = g.when((r) =>
    r.correct(r.last('CallRecorded').eventId, { date: time('2021-10-21') }),
  )
  t.strictSame(summary(then.rows()), [['call', 'c1', 'held', 'day', '2021-10-21T00:00:00.000Z']])
  t.equal(entry(then.rows()[0]).revision, 1)
})

t.test(
  'a corrected meeting announcement changes its occasion and keeps a confirmed date',
  async (t) => {
    const g = given(calendar, meeting.announce('m1'), meeting.confirm('m1', time('2021-10-30')))
    const then = g.when((r) =>
      r.correct(r.last('MeetingAnnounced').eventId, { occasion: 'G20 Rome summit' }),
    )
    t.match(entry(then.rows()[0]), {
      occasion: 'G20 Rome summit',
      status: 'confirmed',
      time: { edtf: '2021-10-30' },
    })
  },
)

t.test(
  'once the visit is completed its confirmed engagements were held, its tentative ones stay tentative',
  async (t) => {
    const then = given(
      calendar,
      visit.schedule('v1'),
      visit.addEngagement('v1', { engagementId: 'g1' }),
      visit.addEngagement('v1', { engagementId: 'g2', status: 'tentative' }),
    ).when(visit.complete('v1'))
    t.strictSame(
      then.rows().map((r) => [r.id, entry(r).status]),
      [
        ['v1/g1', 'held'],
        ['v1/g2', 'tentative'],
      ],
    )
  },
)
