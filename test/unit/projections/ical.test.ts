import t from 'tap'
import {
  itineraryProjection as itinerary,
  itineraryToICalendar,
} from '../../../src/projections/itinerary/index.js'
import { replay } from '../../../src/projections/replay.js'
import { blinken, emhoff, time, visit } from './commands.js'
import { createRecorder, seedEvents } from './scenario.js'
import type { Step } from './spec.js'

const HARRIS = { personId: 'Q10853588', personName: 'Kamala Harris' }

/** Unfolds the lines (RFC 5545 §3.1) and gives each VEVENT as a map of its properties. */
function parse(text: string) {
  t.ok(
    text.split('\r\n').every((l) => new TextEncoder().encode(l).length <= 75),
    'lines are folded at 75 octets',
  )
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n')
  const events: Map<string, string>[] = []
  let current: Map<string, string> | undefined
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = new Map()
    else if (line === 'END:VEVENT') current = void events.push(current!)
    else if (current) {
      const i = line.search(/[:;]/)
      const [name, rest] = [line.slice(0, i), line.slice(i)]
      current.set(name, rest)
    }
  }
  return { lines, events, byUid: (uid: string) => events.find((e) => e.get('UID') === `:${uid}`) }
}

function calendarAfter(...steps: Step[]) {
  const r = createRecorder()
  for (const step of steps) typeof step === 'function' ? step(r) : r.record(step)
  return itineraryToICalendar([...replay(itinerary, r.events).values()], HARRIS)
}

t.test(
  'each engagement of the seed visit is a VEVENT with a stable UID, SEQUENCE 0, its STATUS and all-day dates',
  async (t) => {
    const { events, ids } = seedEvents()
    const text = itineraryToICalendar([...replay(itinerary, events).values()], HARRIS)
    const { lines, events: vevents, byUid } = parse(text)
    t.equal(lines[0], 'BEGIN:VCALENDAR')
    t.ok(lines.includes('PRODID:-//Entente//Itinerary//EN'))
    t.ok(lines.includes('X-WR-CALNAME:Itinerary of Kamala Harris'))
    t.equal(vevents.length, 3)
    const speech = byUid(`${ids.speech}.${ids.visit}@entente`)!
    t.equal(speech.get('SEQUENCE'), ':0')
    t.equal(speech.get('STATUS'), ':CONFIRMED')
    t.equal(speech.get('DTSTART'), ';VALUE=DATE:20211111')
    t.equal(speech.get('DTEND'), ';VALUE=DATE:20211112', 'DTEND is exclusive: the day after')
    t.equal(speech.get('SUMMARY'), ':Speech at the annual Paris Peace Forum')
    t.equal(
      speech.get('DTSTAMP'),
      ':20211023T120004Z',
      'DTSTAMP is when the record last changed, not the clock',
    )
    const talks = byUid(`${ids.talks}.${ids.visit}@entente`)!
    t.equal(talks.get('STATUS'), ':TENTATIVE', 'a date known to the month is tentative')
    t.equal(talks.get('DTSTART'), ';VALUE=DATE:20211101')
    t.equal(talks.get('DTEND'), ';VALUE=DATE:20211201', 'spanning its bounds')
    t.equal(talks.get('X-ENTENTE-PRECISION'), ':month')
    t.match(talks.get('DESCRIPTION'), /With: Emmanuel Macron/)
    t.notOk(lines.includes('BEGIN:VTIMEZONE'), 'no zone is needed for all-day entries')
    t.equal(
      itineraryToICalendar([...replay(itinerary, events).values()], HARRIS),
      text,
      'the same documents give the same text',
    )
  },
)

t.test('SEQUENCE rises after a ChangeEngagement and the UID stays', async (t) => {
  const base = [visit.schedule('v1'), visit.addEngagement('v1', { engagementId: 'g1' })]
  const before = parse(calendarAfter(...base)).byUid('g1.v1@entente')!
  const after = parse(
    calendarAfter(...base, visit.changeEngagement('v1', 'g1', { status: 'tentative' })),
  ).byUid('g1.v1@entente')!
  t.equal(before.get('SEQUENCE'), ':0')
  t.equal(after.get('SEQUENCE'), ':1')
  t.equal(after.get('STATUS'), ':TENTATIVE')
  const twice = calendarAfter(
    ...base,
    visit.changeEngagement('v1', 'g1', { status: 'tentative' }),
    visit.changeEngagement('v1', 'g1', { title: 'Dinner' }),
  )
  t.equal(parse(twice).byUid('g1.v1@entente')!.get('SEQUENCE'), ':2')
})

t.test(
  'a timed engagement starts at local time with the TZID of its place and a VTIMEZONE for that zone',
  async (t) => {
    const text = calendarAfter(
      visit.schedule('v1'),
      visit.addEngagement('v1', { engagementId: 'g1', period: time('2021-11-10T15:00:00+01:00') }),
      visit.addEngagement('v1', {
        engagementId: 'g2',
        period: time('2021-11-11T10:00:00+01:00/2021-11-11T12:30:00+01:00'),
      }),
    )
    const { lines, byUid } = parse(text)
    t.equal(byUid('g1.v1@entente')!.get('DTSTART'), ';TZID=Europe/Paris:20211110T150000')
    t.notOk(byUid('g1.v1@entente')!.has('DTEND'), 'a single time of day has no end')
    t.equal(byUid('g1.v1@entente')!.get('STATUS'), ':CONFIRMED')
    t.equal(byUid('g2.v1@entente')!.get('DTSTART'), ';TZID=Europe/Paris:20211111T100000')
    t.equal(byUid('g2.v1@entente')!.get('DTEND'), ';TZID=Europe/Paris:20211111T123000')
    const zone = lines.slice(lines.indexOf('BEGIN:VTIMEZONE'), lines.indexOf('END:VTIMEZONE') + 1)
    t.ok(zone.includes('TZID:Europe/Paris'))
    t.ok(zone.includes('DTSTART:20211031T030000'), 'summer time ends on 31 October 2021 at 03:00')
    t.ok(zone.includes('TZOFFSETTO:+0100'))
  },
)

t.test('times are written in the place’s zone whatever the host’s zone is', async (t) => {
  const steps = [
    visit.schedule('v1'),
    visit.addEngagement('v1', { engagementId: 'g1', period: time('2021-11-10T15:00:00+01:00') }),
  ]
  const here = calendarAfter(...steps)
  const saved = process.env.TZ
  process.env.TZ = 'America/Los_Angeles'
  t.teardown(() => {
    if (saved === undefined) delete process.env.TZ
    else process.env.TZ = saved
  })
  t.equal(calendarAfter(...steps), here)
})

t.test(
  'cancelled engagements are CANCELLED at a higher SEQUENCE, retracted ones are gone',
  async (t) => {
    const text = calendarAfter(
      visit.schedule('v1'),
      visit.addEngagement('v1', { engagementId: 'g1' }),
      visit.addEngagement('v1', { engagementId: 'g2', period: time('2021-11') }),
      visit.addEngagement('v1', { engagementId: 'g3' }),
      visit.removeEngagement('v1', 'g1'),
      (r) => r.retract(r.events.filter((e) => e.type === 'ItineraryEngagementAdded')[2]!.eventId),
      visit.cancel('v1'),
    )
    const { events, byUid } = parse(text)
    t.equal(events.length, 2)
    t.equal(byUid('g1.v1@entente')!.get('STATUS'), ':CANCELLED')
    t.equal(
      byUid('g1.v1@entente')!.get('SEQUENCE'),
      ':1',
      'removed, then left as it was by the cancellation',
    )
    t.equal(byUid('g2.v1@entente')!.get('STATUS'), ':CANCELLED', 'even an imprecise one')
    t.equal(byUid('g2.v1@entente')!.get('SEQUENCE'), ':1')
    t.notOk(byUid('g3.v1@entente'))
  },
)

t.test('only the visits the person travels on are exported, delegation members’ too', async (t) => {
  const r = createRecorder()
  r.record(visit.schedule('v1'))
  r.record(visit.addMember('v1', emhoff))
  r.record(visit.addEngagement('v1', { engagementId: 'g1' }))
  r.record(visit.schedule('v2', { visitor: blinken }))
  r.record(visit.addEngagement('v2', { engagementId: 'g1' }))
  const docs = [...replay(itinerary, r.events).values()]
  const uids = (text: string) => parse(text).events.map((e) => e.get('UID'))
  t.strictSame(uids(itineraryToICalendar(docs, HARRIS)), [':g1.v1@entente'])
  const forEmhoff = itineraryToICalendar(docs, {
    personId: emhoff.id,
    personName: 'Douglas Emhoff',
    prodId: '//Example//Test//EN',
  })
  t.strictSame(uids(forEmhoff), [':g1.v1@entente'])
  t.ok(parse(forEmhoff).lines.includes('PRODID:-//Example//Test//EN'))
  t.ok(parse(forEmhoff).lines.includes('X-WR-CALNAME:Itinerary of Douglas Emhoff'))
})
