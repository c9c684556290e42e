import t from 'tap'
import { callDecider } from '../../../src/domain/call/index.js'
import { EVENT_SCHEMAS, schemaVersionOf } from '../../../src/domain/event-schemas.js'
import { slugOf, UnsupportedSchemaError, upcast } from '../../../src/domain/upcasters.js'
import { oct22, whiteHouse } from './fixtures.js'

/** A CallRecorded as v1 stored it: participants by name and country, the initiator by name. */
const v1 = {
  callId: 'c1',
  participants: [
    { name: 'Joe Biden', country: 'US' },
    { name: 'Emmanuel Macron', country: 'FR' },
  ],
  initiator: 'Joe Biden',
  date: oct22,
  topics: ['Sahel'],
  dyads: [['FR', 'US']],
  interactions: [],
  sources: [whiteHouse],
}

t.test('every event type has a schema version; CallRecorded is at v2', async (t) => {
  t.equal(EVENT_SCHEMAS.CallRecorded, 2)
  t.equal(schemaVersionOf('VisitScheduled'), 1)
  t.equal(schemaVersionOf('SomethingElse'), 1)
})

t.test('a v1 CallRecorded upcasts to v2 people with ids and an initiator id', async (t) => {
  const { schemaVersion, data } = upcast('CallRecorded', 1, v1)
  t.equal(schemaVersion, 2)
  t.match(data, {
    participants: [
      { id: 'joe-biden', name: 'Joe Biden', country: 'US' },
      { id: 'emmanuel-macron', name: 'Emmanuel Macron', country: 'FR' },
    ],
    initiatorId: 'joe-biden',
    quotes: [],
  })
  t.notOk('initiator' in (data as object), 'the v1 field is gone')
})

t.test('a stored v1 event keeps loading: the upcast data folds into a recorded call', async (t) => {
  const { data } = upcast('CallRecorded', 1, v1)
  const state = callDecider.evolve(callDecider.initialState(), {
    type: 'CallRecorded',
    data,
  } as never)
  t.match(state, {
    status: 'recorded',
    call: { participants: [{ id: 'joe-biden' }, { id: 'emmanuel-macron' }] },
  })
})

t.test(
  'v1 reschedules and confirmations, which named no country pairs, read as v2 without them',
  async (t) => {
    for (const type of ['VisitRescheduled', 'MeetingConfirmed', 'MeetingRescheduled']) {
      t.equal(schemaVersionOf(type), 2, `${type} is at v2`)
      const data = { visitId: 'v1', sources: [whiteHouse] }
      t.strictSame(upcast(type, 1, data), { schemaVersion: 2, data }, `${type} v1 reads as v2`)
    }
  },
)

t.test('current versions and unknown types pass through unchanged', async (t) => {
  const data = { any: 'thing' }
  t.equal(upcast('CallRecorded', 2, data).data, data)
  t.strictSame(upcast('FromTheFuture', 7, data), { schemaVersion: 7, data })
})

t.test('a version newer than this code reads is refused with a stable code', async (t) => {
  t.throws(() => upcast('CallRecorded', 3, v1), UnsupportedSchemaError)
  t.throws(() => upcast('VisitScheduled', 0, {}), { code: 'event-schema-unsupported' })
})

t.test(
  'slugs drop accents and punctuation, and names without Latin letters get a stable hash',
  async (t) => {
    t.equal(slugOf('Jean-Yves Le Drian'), 'jean-yves-le-drian')
    t.equal(slugOf('Émilie  Ça'), 'emilie-ca')
    t.match(slugOf('习近平'), /^person-[0-9a-f]{8}$/)
    t.equal(slugOf('习近平'), slugOf('习近平'))
  },
)
