import t from 'tap'
import { itineraryProjection as itinerary } from '../../../src/projections/itinerary/index.js'
import type { VisitDoc } from '../../../src/projections/itinerary/types.js'
import { ap, blinken, emhoff, macron, time, visit, whiteHouse } from './commands.js'
import { given } from './spec.js'

const V = 'visit:v1'
const scheduled = [visit.schedule('v1'), visit.addEngagement('v1', { engagementId: 'g1' })]
const engagement = (doc: VisitDoc | undefined, id = 'g1') =>
  doc?.engagements.find((e) => e.engagementId === id)

t.test('a scheduled visit is a document with its visitor, destination and period', async (t) => {
  const then = given(itinerary).when(
    visit.schedule('v1', {}, { actor: 'a', at: '2021-10-23T09:00:00Z', sources: [whiteHouse, ap] }),
  )
  t.match(then.doc<VisitDoc>(V), {
    visitId: 'v1',
    status: 'scheduled',
    visitor: { id: 'Q10853588' },
    destination: { city: 'Paris', timeZone: 'Europe/Paris' },
    period: { edtf: '2021-11', precision: 'month' },
    dyad: ['FR', 'US'],
    delegation: [],
    engagements: [],
    sources: [{ publisher: 'The White House' }, { publisher: 'The Associated Press' }],
  })
  t.strictSame(
    then.rows().map((r) => [r.kind, r.id, r.earliest, r.latest, r.countries, r.people]),
    [
      [
        'visit',
        'v1',
        '2021-11-01T00:00:00.000Z',
        '2021-11-30T23:59:59.999Z',
        ['FR', 'US'],
        ['Q10853588'],
      ],
    ],
  )
  t.notOk('facts' in then.rows()[0]!.doc, 'the row shows the visit, not its bookkeeping')
})

t.test(
  'an added engagement shows its period, the destination as place, counterparts, status and sources, at revision 0',
  async (t) => {
    const then = given(itinerary, visit.schedule('v1')).when(
      visit.addEngagement('v1', { engagementId: 'g1' }),
    )
    t.match(engagement(then.doc<VisitDoc>(V)), {
      engagementId: 'g1',
      kind: 'talks',
      period: { edtf: '2021-11-11', precision: 'day' },
      timing: 'days',
      place: { city: 'Paris', timeZone: 'Europe/Paris' },
      counterparts: [{ id: macron.id }],
      status: 'confirmed',
      sources: [{ publisher: 'The White House' }],
      revision: 0,
    })
  },
)

t.test(
  'a timed engagement keeps the zone of its own place and shows its local start',
  async (t) => {
    const elysee = {
      city: 'Paris',
      country: 'FR',
      venue: 'Élysée Palace',
      timeZone: 'Europe/Paris',
    }
    const then = given(itinerary, visit.schedule('v1')).when(
      visit.addEngagement('v1', {
        engagementId: 'g1',
        period: time('2021-11-10T15:00:00+01:00'),
        place: elysee,
      }),
    )
    t.match(engagement(then.doc<VisitDoc>(V)), {
      timing: 'timed',
      timeZone: 'Europe/Paris',
      localStart: '2021-11-10T15:00:00+01:00',
      place: { venue: 'Élysée Palace' },
    })
  },
)

t.test('engagements are ordered by their earliest bound', async (t) => {
  const then = given(itinerary, visit.schedule('v1')).when(
    visit.addEngagement('v1', { engagementId: 'late', period: time('2021-11-12') }),
    visit.addEngagement('v1', { engagementId: 'early', period: time('2021-11-11') }),
    visit.addEngagement('v1', { engagementId: 'month', period: time('2021-11') }),
  )
  t.strictSame(
    then.doc<VisitDoc>(V)?.engagements.map((e) => e.engagementId),
    ['month', 'early', 'late'],
  )
})

t.test(
  'a changed engagement shows the change and raises its revision; the others keep theirs',
  async (t) => {
    const then = given(
      itinerary,
      ...scheduled,
      visit.addEngagement('v1', { engagementId: 'g2' }),
    ).when(visit.changeEngagement('v1', 'g1', { status: 'tentative', title: 'Working lunch' }))
    const doc = then.doc<VisitDoc>(V)
    t.match(engagement(doc), {
      status: 'tentative',
      title: 'Working lunch',
      revision: 1,
      revisedAt: then.events[0]!.recordedAt,
    })
    t.equal(engagement(doc, 'g2')?.revision, 0)
  },
)

t.test(
  'a removed engagement stays in the itinerary, cancelled with the reason, at a new revision',
  async (t) => {
    const then = given(itinerary, ...scheduled).when(
      visit.removeEngagement('v1', 'g1', 'dropped from the programme'),
    )
    t.match(engagement(then.doc<VisitDoc>(V)), {
      status: 'cancelled',
      cancellation: { by: 'engagement-removed', reason: 'dropped from the programme' },
      revision: 1,
    })
  },
)

t.test(
  'a rescheduled visit has its new period and its engagements keep their revisions',
  async (t) => {
    const then = given(itinerary, ...scheduled).when(
      visit.reschedule('v1', time('2021-11-09/2021-11-13')),
    )
    const doc = then.doc<VisitDoc>(V)
    t.match(doc?.period, { edtf: '2021-11-09/2021-11-13' })
    t.equal(engagement(doc)?.revision, 0)
  },
)

t.test(
  'delegation members added and removed are the companions, and the row names them',
  async (t) => {
    const then = given(itinerary, visit.schedule('v1')).when(
      visit.addMember('v1', emhoff, 'spouse'),
      visit.addMember('v1', blinken),
      visit.removeMember('v1', blinken.id),
    )
    t.match(then.doc<VisitDoc>(V)?.delegation, [{ person: { id: emhoff.id }, role: 'spouse' }])
    t.equal(then.doc<VisitDoc>(V)?.delegation.length, 1)
    t.strictSame(then.rows()[0]?.people, ['Q10853588', emhoff.id])
  },
)

t.test(
  'a cancelled visit stays, cancelled, and so does every engagement, at a new revision',
  async (t) => {
    const then = given(itinerary, ...scheduled).when(visit.cancel('v1', 'postponed'))
    const doc = then.doc<VisitDoc>(V)
    t.match(doc, { status: 'cancelled', cancellation: { reason: 'postponed' } })
    t.match(engagement(doc), {
      status: 'cancelled',
      cancellation: { by: 'visit-cancelled' },
      revision: 1,
    })
    t.equal(then.rows().length, 1, 'a cancelled visit is still in the itinerary')
  },
)

t.test('a completed visit is completed', async (t) => {
  const then = given(itinerary, ...scheduled).when(visit.complete('v1'))
  t.equal(then.doc<VisitDoc>(V)?.status, 'completed')
})

t.test(
  'a retracted visit disappears, and later corrections of its facts bring nothing back',
  async (t) => {
    const g = given(itinerary, ...scheduled)
    const [scheduling, added] = g.recorder.events
    const then = g.when(
      (r) => r.retract(scheduling!.eventId),
      (r) => r.correct(added!.eventId, { engagement: { title: 'Dinner' } }),
    )
    t.equal(then.doc(V), undefined)
    t.strictSame(then.rows(), [])
  },
)

t.test('a retracted engagement disappears from the visit', async (t) => {
  const g = given(itinerary, ...scheduled, visit.addEngagement('v1', { engagementId: 'g2' }))
  const then = g.when((r) => r.retract(g.recorder.events[1]!.eventId))
  t.strictSame(
    then.doc<VisitDoc>(V)?.engagements.map((e) => e.engagementId),
    ['g2'],
  )
})

t.test(
  'a corrected engagement changes the corrected fields, keeps a later change, and raises its revision',
  async (t) => {
    const g = given(
      itinerary,
      ...scheduled,
      visit.changeEngagement('v1', 'g1', { status: 'tentative' }),
    )
    const then = g.when((r) =>
      r.correct(g.recorder.events[1]!.eventId, { engagement: { title: 'Talks at the Élysée' } }),
    )
    t.match(engagement(then.doc<VisitDoc>(V)), {
      title: 'Talks at the Élysée',
      status: 'tentative',
      revision: 2,
      sources: [{ publisher: 'The White House' }, { publisher: 'Agence France-Presse' }],
    })
  },
)

t.test('a retracted change restores the engagement as it was before it', async (t) => {
  const g = given(
    itinerary,
    ...scheduled,
    visit.changeEngagement('v1', 'g1', { title: 'Dinner', kind: 'dinner' }),
  )
  const then = g.when((r) => r.retract(r.last('ItineraryEngagementChanged').eventId))
  t.match(engagement(then.doc<VisitDoc>(V)), { title: 'Talks', kind: 'talks', revision: 2 })
})

t.test('a retracted removal brings the engagement back as it was', async (t) => {
  const g = given(itinerary, ...scheduled, visit.removeEngagement('v1', 'g1'))
  const then = g.when((r) => r.retract(r.last('ItineraryEngagementRemoved').eventId))
  t.match(engagement(then.doc<VisitDoc>(V)), { status: 'confirmed', revision: 2 })
  t.notOk(engagement(then.doc<VisitDoc>(V))?.cancellation)
})

t.test(
  'a retracted cancellation makes the visit and its engagements scheduled again',
  async (t) => {
    const g = given(itinerary, ...scheduled, visit.cancel('v1'))
    const then = g.when((r) => r.retract(r.last('VisitCancelled').eventId))
    const doc = then.doc<VisitDoc>(V)
    t.equal(doc?.status, 'scheduled')
    t.notOk(doc?.cancellation)
    t.match(engagement(doc), { status: 'confirmed', revision: 2 })
  },
)

t.test(
  'a corrected scheduling changes the purpose and delegation, and a later reschedule still holds',
  async (t) => {
    const g = given(
      itinerary,
      visit.schedule('v1', { purpose: 'Talks' }),
      visit.reschedule('v1', time('2021-11-09/2021-11-13')),
    )
    const then = g.when((r) =>
      r.correct(g.recorder.events[0]!.eventId, {
        purpose: 'Paris Peace Forum',
        delegation: [{ person: emhoff }],
      }),
    )
    t.match(then.doc<VisitDoc>(V), {
      purpose: 'Paris Peace Forum',
      delegation: [{ person: { id: emhoff.id } }],
      period: { edtf: '2021-11-09/2021-11-13' },
    })
  },
)

t.test('a retracted delegation member is no longer a companion', async (t) => {
  const g = given(itinerary, visit.schedule('v1'), visit.addMember('v1', emhoff))
  const then = g.when((r) => r.retract(r.last('DelegationMemberAdded').eventId))
  t.strictSame(then.doc<VisitDoc>(V)?.delegation, [])
  t.strictSame(then.rows()[0]?.people, ['Q10853588'])
})

t.test('an event applied twice changes nothing the second time', async (t) => {
  const g = given(itinerary, ...scheduled)
  const again = g.recorder.events.at(-1)!
  const doc = g.before.get(V)
  t.equal(itinerary.evolve(doc, again, { kind: 'visit', id: 'v1' }), doc)
})

t.test(
  'events of other streams and corrections elsewhere have no itinerary document',
  async (t) => {
    const g = given(itinerary, {
      type: 'RecordCall',
      data: { callId: 'c1', participants: [macron, blinken], date: time('2021-10-22') },
      metadata: { actor: 'a', at: '2021-10-23T09:00:00Z', sources: [whiteHouse] },
    })
    const then = g.when((r) => r.retract(r.last('CallRecorded').eventId))
    t.strictSame(itinerary.keysOf(then.events[0]!), [])
    t.equal(then.after.size, 0)
  },
)
