import t from 'tap'
import { calendarProjection as calendar } from '../../../src/projections/calendar/index.js'
import {
  itineraryProjection as itinerary,
  personItinerary,
} from '../../../src/projections/itinerary/index.js'
import type { VisitDoc } from '../../../src/projections/itinerary/types.js'
import type { RelationshipDoc } from '../../../src/projections/relationship-status/index.js'
import {
  relationshipStatus,
  relationshipStatusProjection as relationships,
} from '../../../src/projections/relationship-status/index.js'
import { replay, replayAsOf, rowsOf } from '../../../src/projections/replay.js'
import { time } from './commands.js'
import { seedEvents } from './scenario.js'

const { events, ids } = seedEvents()
const NOW = '2021-10-23T12:00:00Z'
const visitDocs = () => [...replay(itinerary, events).values()] as unknown as VisitDoc[]
const frUs = (docs = replay(relationships, events)) =>
  docs.get('relationship:FR-US') as unknown as RelationshipDoc

t.test(
  'the seed scenario yields Kamala Harris’s itinerary: one visit to Paris in November 2021 with her engagements and Douglas Emhoff',
  async (t) => {
    const rows = rowsOf(itinerary, replay(itinerary, events)).filter(
      (r) => r.kind === 'visit' && r.people?.includes('Q10853588'),
    )
    t.equal(rows.length, 1)
    const { visits } = personItinerary(visitDocs(), 'Q10853588')
    t.equal(visits.length, 1)
    const [paris] = visits
    t.match(paris, {
      visitId: ids.visit,
      role: 'visitor',
      status: 'scheduled',
      destination: { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
      period: {
        edtf: '2021-11',
        precision: 'month',
        earliest: '2021-11-01T00:00:00.000Z',
        latest: '2021-11-30T23:59:59.999Z',
      },
      companions: [{ id: 'douglas-emhoff', name: 'Douglas Emhoff' }],
      delegation: [{ person: { name: 'Douglas Emhoff' }, role: 'spouse' }],
    })
    const byId = new Map(paris!.engagements.map((e) => [e.engagementId, e]))
    t.match(byId.get(ids.speech), {
      kind: 'speech',
      title: /Paris Peace Forum/,
      period: { edtf: '2021-11-11', precision: 'day' },
      status: 'confirmed',
      place: { city: 'Paris' },
    })
    t.match(byId.get(ids.libya), {
      kind: 'conference',
      title: 'Paris Conference on Libya',
      period: { edtf: '2021-11-12', precision: 'day' },
    })
    t.match(byId.get(ids.talks), {
      kind: 'talks',
      period: { precision: 'month' },
      counterparts: [{ id: 'Q3052772', name: 'Emmanuel Macron' }],
    })
    t.match(paris!.sources, [
      { publisher: 'The White House' },
      { publisher: 'The Associated Press' },
    ])
  },
)

t.test(
  'Douglas Emhoff travels on the same visit with Harris as companion; Macron’s itinerary is empty but his calendar has the talks',
  async (t) => {
    t.match(personItinerary(visitDocs(), 'douglas-emhoff').visits, [
      { role: 'delegation', companions: [{ id: 'Q10853588' }] },
    ])
    t.strictSame(personItinerary(visitDocs(), 'Q3052772').visits, [])
    const macronRows = rowsOf(calendar, replay(calendar, events)).filter((r) =>
      r.people?.includes('Q3052772'),
    )
    t.strictSame(
      macronRows.map((r) => [r.kind, r.earliest]),
      [
        ['call', '2021-10-22T00:00:00.000Z'],
        ['meeting', '2021-10-23T00:00:00.000Z'],
        ['engagement', '2021-11-01T00:00:00.000Z'],
      ],
    )
  },
)

t.test(
  'the seed calendar has the call, the Rome meeting and the three engagements, each with its precision',
  async (t) => {
    const rows = rowsOf(calendar, replay(calendar, events)).sort((a, b) =>
      a.earliest!.localeCompare(b.earliest!),
    )
    t.strictSame(
      rows.map((r) => [
        r.kind,
        (r.doc as { precision: string }).precision,
        (r.doc as { status: string }).status,
      ]),
      [
        ['call', 'day', 'held'],
        ['meeting', 'set', 'tentative'],
        ['engagement', 'month', 'confirmed'],
        ['engagement', 'day', 'confirmed'],
        ['engagement', 'day', 'confirmed'],
      ],
    )
  },
)

t.test(
  'FR-US on 23 October is recovering: strained by the open AUKUS friction and trending up after the call and the announcements',
  async (t) => {
    const status = relationshipStatus(frUs(), NOW)
    t.match(status, {
      dyad: ['FR', 'US'],
      label: 'recovering',
      computedLabel: 'recovering',
      trend: 'up',
      basis: { thresholdLabel: 'normal', cappedBy: [ids.aukus] },
      openFrictions: [{ frictionId: ids.aukus, title: /AUKUS/, severity: 'serious' }],
      lastEngagement: { type: 'call', id: ids.call },
      nextEngagement: { type: 'meeting', id: ids.meeting, title: /G20/ },
      assessment: { label: 'recovering', rationale: /mend ties/ },
      rules: { version: '2026-11.1' },
    })
    // 1.5 (call) + 2.5 (visit announced) + 2.5 (meeting announced) − 0.8·3 (AUKUS, reported by AP), 1.5 days on.
    t.equal(status.score, 4.053)
  },
)

t.test(
  'before the call and the announcements the trend was not up: the friction alone reads strained and falling, and nothing counts before 22 October',
  async (t) => {
    const frictionOnly = replay(
      relationships,
      events.filter((e) => e.streamId === 'relationship-FR-US'),
    )
    t.match(relationshipStatus(frUs(frictionOnly), NOW), { label: 'strained', trend: 'down' })
    t.match(relationshipStatus(frUs(), '2021-10-21T12:00:00Z'), {
      score: 0,
      trend: 'flat',
      label: 'normal',
    })
  },
)

t.test(
  'dated by a correction to AUKUS’s announcement on 15 September, the friction makes the history strained, then recovering from the call',
  async (t) => {
    const { recorder } = seedEvents()
    recorder.correct(recorder.last('FrictionRecorded').eventId, {
      since: time('2021-09-15', 'in September'),
    })
    const doc = frUs(replay(relationships, recorder.events))
    t.match(doc.labelHistory, [
      { at: '2021-09-15T00:00:00.000Z', label: 'strained', trend: 'down' },
      { at: '2021-10-22T00:00:00.000Z', label: 'recovering', trend: 'up' },
    ])
    t.match(relationshipStatus(doc, '2021-10-21T12:00:00Z'), { label: 'strained', trend: 'flat' })
    t.match(relationshipStatus(doc, NOW), { label: 'recovering', trend: 'up' })
  },
)

t.test(
  'as of a recorded time before the friction was recorded, the record had no AUKUS friction',
  async (t) => {
    const before = events.find((e) => e.type === 'FrictionRecorded')!.recordedAt
    const asOf = new Date(Date.parse(before) - 1).toISOString()
    const status = relationshipStatus(frUs(replayAsOf(relationships, events, asOf)), NOW)
    t.strictSame(status.openFrictions, [])
    t.match(status, { label: 'normal', trend: 'up', assessment: null })
  },
)
