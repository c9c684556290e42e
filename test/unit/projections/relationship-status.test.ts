import t from 'tap'
import type { RelationshipDoc } from '../../../src/projections/relationship-status/index.js'
import {
  RELATIONSHIP_RULES,
  relationshipStatus,
  relationshipStatusProjection as relationships,
} from '../../../src/projections/relationship-status/index.js'
import {
  ap,
  biden,
  call,
  draghi,
  macron,
  meeting,
  meta,
  relationship,
  time,
  visit,
} from './commands.js'
import { given } from './spec.js'

const FR_US = 'relationship:FR-US'
const statusAt = (doc: unknown, now: string) => relationshipStatus(doc as RelationshipDoc, now)

t.test(
  'the versioned rules are stored in every document and returned with the status',
  async (t) => {
    const then = given(relationships).when(call('c1', time('2021-10-22')))
    const doc = then.doc<RelationshipDoc>(FR_US)!
    t.equal(doc.rules.version, '2026-11.1')
    t.equal(doc.rules.halfLifeDays, 90)
    t.strictSame(statusAt(doc, '2021-10-23T00:00:00Z').rules, RELATIONSHIP_RULES)
    t.match(then.rows()[0], {
      kind: 'relationship',
      id: 'FR-US',
      countries: ['FR', 'US'],
      earliest: '2021-10-22T00:00:00.000Z',
    })
  },
)

t.test(
  "the pair's row spans its first interaction to its last, in whatever order they were recorded",
  async (t) => {
    const then = given(relationships).when(
      call('c1', time('2021-10-22')),
      call('c2', time('2021-06-01')),
      call('c3', time('2021-12-03')),
      call('c4', time('2021-09-15')),
    )
    t.match(then.rows()[0], {
      earliest: '2021-06-01T00:00:00.000Z',
      latest: '2021-12-03T00:00:00.000Z',
    })
  },
)

t.test(
  'an interaction counts its weight, halved every 90 days: S(t) = Σ wᵢ·cᵢ·2^(−(t−tᵢ)/90 d)',
  async (t) => {
    const doc = given(relationships)
      .when(call('c1', time('2021-10-22')))
      .doc(FR_US)
    t.equal(statusAt(doc, '2021-10-22T00:00:00Z').score, 1.5, 'a call weighs 1.5 at its date')
    t.equal(statusAt(doc, '2022-01-20T00:00:00Z').score, 0.75, 'and half as much 90 days later')
    t.equal(statusAt(doc, '2021-10-21T00:00:00Z').score, 0, 'nothing counts before it happened')
  },
)

t.test(
  'cᵢ is 0.8 when every source reports another’s (second hand), 1 for an original',
  async (t) => {
    const doc = given(relationships)
      .when(call('c1', time('2021-10-22'), [biden, macron], meta({ sources: [ap] })))
      .doc(FR_US)
    t.equal(statusAt(doc, '2021-10-22T00:00:00Z').score, 1.2)
  },
)

t.test(
  'a cancelled visit stays recorded and its REJECT coding counts against the announcement',
  async (t) => {
    const then = given(relationships, visit.schedule('v1')).when(visit.cancel('v1'))
    const doc = then.doc<RelationshipDoc>(FR_US)!
    t.match(
      doc.items.filter((i) => i.item === 'interaction'),
      [
        { kind: 'visit-scheduled', plover: 'AGREE', weight: 2.5 },
        { kind: 'visit-cancelled', plover: 'REJECT', weight: -2.5 },
      ],
    )
    const status = statusAt(doc, '2021-10-23T00:00:00Z')
    t.equal(status.score, 0)
    t.equal(status.nextEngagement, null, 'a cancelled visit is no next engagement')
  },
)

t.test(
  'a retracted interaction leaves the score; retracting everything removes the pair',
  async (t) => {
    const g = given(relationships, call('c1', time('2021-10-22')), call('c2', time('2021-10-22')))
    const [first] = g.recorder.events
    const then = g.when((r) => r.retract(first!.eventId))
    t.equal(statusAt(then.doc(FR_US), '2021-10-22T00:00:00Z').score, 1.5)
    t.notOk(then.doc<RelationshipDoc>(FR_US)!.items.some((i) => i.eventId === first!.eventId))
    const none = given(relationships, call('c1', time('2021-10-22'))).when((r) =>
      r.retract(r.last('CallRecorded').eventId),
    )
    t.equal(none.doc(FR_US), undefined)
  },
)

t.test('a corrected date moves the interaction in time', async (t) => {
  const g = given(relationships, call('c1', time('2021-10-22')))
  const then = g.when((r) =>
    r.correct(r.last('CallRecorded').eventId, { date: time('2021-07-24') }),
  )
  t.equal(statusAt(then.doc(FR_US), '2021-10-22T00:00:00Z').score, 0.75)
})

t.test('an open serious friction within 180 days caps the label at strained', async (t) => {
  const doc = given(relationships)
    .when(relationship.friction('f1', 'serious', time('2021-06-01')))
    .doc(FR_US)
  const capped = statusAt(doc, '2021-10-23T00:00:00Z')
  t.match(capped, {
    label: 'strained',
    trend: 'flat',
    basis: { thresholdLabel: 'normal', cappedBy: ['f1'] },
  })
  t.ok(capped.score > -2, 'the score alone would say normal')
  t.match(
    statusAt(doc, '2021-12-15T00:00:00Z'),
    { label: 'normal', basis: { cappedBy: [] } },
    'after 180 days it no longer caps',
  )
})

t.test('a well positive score overrides the friction cap', async (t) => {
  const agreements = ['Sahel', 'Indo-Pacific', 'Defence'].map((topic) =>
    relationship.cooperation(topic, time('2021-10-20'), 'agreement'),
  )
  const doc = given(relationships)
    .when(relationship.friction('f1', 'serious', time('2021-06-01')), ...agreements)
    .doc(FR_US)
  t.match(statusAt(doc, '2021-10-23T00:00:00Z'), { label: 'close', basis: { cappedBy: [] } })
})

t.test('a minor friction does not cap, and a resolved one no longer does', async (t) => {
  const minor = given(relationships)
    .when(relationship.friction('f1', 'minor', time('2021-06-01')))
    .doc(FR_US)
  t.match(statusAt(minor, '2021-10-23T00:00:00Z'), {
    label: 'normal',
    openFrictions: [{ frictionId: 'f1', severity: 'minor' }],
  })
  const resolved = given(relationships, relationship.friction('f1', 'serious', time('2021-06-01')))
    .when(relationship.resolve('f1', time('2021-09-01')))
    .doc(FR_US)
  t.match(statusAt(resolved, '2021-10-23T00:00:00Z'), { label: 'normal', openFrictions: [] })
  t.match(statusAt(resolved, '2021-08-01T00:00:00Z'), {
    label: 'strained',
    openFrictions: [{ frictionId: 'f1' }],
  })
})

t.test(
  'strained and trending up is recovering; a lone friction merely fading is flat, still strained',
  async (t) => {
    const g = given(relationships, relationship.friction('f1', 'serious', time('2021-09-15')))
    t.match(statusAt(g.before.get(FR_US), '2021-10-23T00:00:00Z'), {
      label: 'strained',
      trend: 'flat',
    })
    const then = g.when(meeting.announce('m1'))
    t.match(statusAt(then.doc(FR_US), '2021-10-23T00:00:00Z'), {
      label: 'recovering',
      trend: 'up',
      basis: { cappedBy: ['f1'] },
    })
  },
)

t.test(
  'the last engagement took place, the next is not over; cancelled ones are neither',
  async (t) => {
    const g = given(
      relationships,
      call('c1', time('2021-10-22')),
      meeting.announce('m1'),
      visit.schedule('v1'),
    )
    const doc = g.before.get(FR_US)
    t.match(statusAt(doc, '2021-10-23T12:00:00Z'), {
      lastEngagement: { type: 'call', id: 'c1', status: 'held' },
      nextEngagement: { type: 'meeting', id: 'm1', status: 'announced', place: { city: 'Rome' } },
    })
    const then = g.when(meeting.held('m1', time('2021-10-30')))
    t.match(statusAt(then.doc(FR_US), '2021-11-02T00:00:00Z'), {
      lastEngagement: { type: 'meeting', status: 'held', time: { edtf: '2021-10-30' } },
      nextEngagement: { type: 'visit', id: 'v1', title: 'Kamala Harris visits Paris' },
    })
  },
)

t.test(
  'a rescheduled visit, a confirmed or rescheduled meeting moves the engagement, not the score',
  async (t) => {
    const g = given(relationships, meeting.announce('m1'), visit.schedule('v1'))
    const before = g.before.get(FR_US)
    const confirmed = g.when(meeting.confirm('m1', time('2021-10-30')))
    t.match(statusAt(confirmed.doc(FR_US), '2021-10-23T12:00:00Z'), {
      nextEngagement: {
        type: 'meeting',
        id: 'm1',
        status: 'confirmed',
        time: { edtf: '2021-10-30' },
      },
    })
    t.equal(
      statusAt(confirmed.doc(FR_US), '2021-10-23T12:00:00Z').score,
      statusAt(before, '2021-10-23T12:00:00Z').score,
      'a confirmation carries no interaction',
    )
    const moved = given(
      relationships,
      meeting.announce('m1'),
      visit.schedule('v1'),
      meeting.confirm('m1', time('2021-10-30')),
    ).when(meeting.reschedule('m1', time('2021-12-15')), visit.reschedule('v1', time('2021-12-01')))
    const status = statusAt(moved.doc(FR_US), '2021-10-31T00:00:00Z')
    t.match(status.nextEngagement, {
      type: 'visit',
      id: 'v1',
      status: 'scheduled',
      title: 'Kamala Harris visits Paris',
      time: { edtf: '2021-12-01' },
    })
    t.equal(status.lastEngagement, null, 'the meeting moved away from 30 October: nothing is past')
    t.match(statusAt(moved.doc(FR_US), '2021-12-05T00:00:00Z').nextEngagement, {
      type: 'meeting',
      id: 'm1',
      status: 'announced',
      time: { edtf: '2021-12-15' },
    })
  },
)

t.test('cooperation topics and the latest assessment beside the computed label', async (t) => {
  const g = given(
    relationships,
    relationship.cooperation('Sahel', time('2021-10-22')),
    relationship.assess('strained'),
  )
  const then = g.when(relationship.assess('recovering', 'Mending ties'))
  const status = statusAt(then.doc(FR_US), '2021-10-23T00:00:00Z')
  t.match(status, {
    cooperationTopics: [{ topic: 'Sahel', area: 'security' }],
    assessment: { label: 'recovering', rationale: 'Mending ties' },
    computedLabel: 'normal',
  })
  const retracted = given(
    relationships,
    relationship.assess('strained'),
    relationship.assess('recovering'),
  ).when((r) => r.retract(r.last('RelationshipAssessed').eventId))
  t.match(statusAt(retracted.doc(FR_US), '2021-10-23T00:00:00Z').assessment, { label: 'strained' })
})

t.test(
  'the label history records each change at the time it happened and follows corrections',
  async (t) => {
    const g = given(
      relationships,
      relationship.friction('f1', 'serious', time('2021-09-15')),
      meeting.announce('m1'),
    )
    t.match(g.before.get(FR_US), {
      labelHistory: [
        { at: '2021-09-15T00:00:00.000Z', label: 'strained', trend: 'down' },
        { at: '2021-10-22T00:00:00.000Z', label: 'recovering', trend: 'up' },
      ],
    })
    const then = g.when((r) => r.retract(r.last('FrictionRecorded').eventId))
    t.match(then.doc<RelationshipDoc>(FR_US)!.labelHistory, [
      { at: '2021-10-22T00:00:00.000Z', label: 'normal' },
    ])
    t.equal(then.doc<RelationshipDoc>(FR_US)!.labelHistory.length, 1)
  },
)

t.test(
  'events name their pairs: a three-country call touches three, a confirmation its meeting’s',
  async (t) => {
    const g = given(relationships, meeting.announce('m1'))
    const then = g.when(
      call('c1', time('2021-10-22'), [biden, macron, draghi]),
      meeting.confirm('m1', time('2021-10-30')),
    )
    t.strictSame(
      relationships.keysOf(then.events[0]!).map((k) => k.id),
      ['FR-IT', 'FR-US', 'IT-US'],
    )
    t.strictSame(relationships.keysOf(then.events[1]!), [{ kind: 'relationship', id: 'FR-US' }])
    t.strictSame([...then.after.keys()].sort(), [
      'relationship:FR-IT',
      'relationship:FR-US',
      'relationship:IT-US',
    ])
  },
)

t.test('a correction touches the pairs its target’s data names', async (t) => {
  const g = given(relationships, call('c1', time('2021-10-22')))
  const then = g.when((r) => r.correct(r.last('CallRecorded').eventId, { topics: ['NATO'] }))
  t.strictSame(relationships.keysOf(then.events[0]!), [{ kind: 'relationship', id: 'FR-US' }])
})

t.test(
  'a completed visit counts as CONSULT:visit from its start and becomes the last engagement',
  async (t) => {
    const then = given(relationships, visit.schedule('v1')).when(visit.complete('v1'))
    const doc = then.doc<RelationshipDoc>(FR_US)!
    t.match(doc.items.filter((i) => i.item === 'interaction').at(-1), {
      kind: 'visit-completed',
      plover: 'CONSULT',
      mode: 'visit',
      weight: 4,
      at: '2021-11-01T00:00:00.000Z',
    })
    const status = statusAt(doc, '2021-12-01T00:00:00Z')
    t.match(status.lastEngagement, { type: 'visit', id: 'v1', status: 'completed' })
    t.equal(status.score, Math.round((2.5 * 2 ** (-40 / 90) + 4 * 2 ** (-30 / 90)) * 1000) / 1000)
  },
)

t.test(
  'a cancelled meeting’s REJECT counts; retracting the cancellation takes it back out',
  async (t) => {
    const g = given(relationships, meeting.announce('m1'), meeting.cancel('m1'))
    const cancelled = statusAt(g.before.get(FR_US), '2021-10-23T00:00:00Z')
    t.equal(cancelled.score, 0, 'AGREE +2.5 and REJECT −2.5')
    t.equal(cancelled.nextEngagement, null)
    const then = g.when((r) => r.retract(r.last('MeetingCancelled').eventId))
    const restored = statusAt(then.doc(FR_US), '2021-10-23T00:00:00Z')
    t.ok(restored.score > 2.4)
    t.match(restored.nextEngagement, { type: 'meeting', id: 'm1', status: 'announced' })
  },
)
