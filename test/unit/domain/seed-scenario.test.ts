import t from 'tap'
import { seedScenario } from '../../../src/app/seed-scenario.js'
import type { Event } from '../../../src/domain/decider.js'
import { deciderFor, route } from '../../../src/domain/deciders.js'

let n = 0
const entries = seedScenario({ newId: () => `id-${++n}`, actor: 'seed' })

/** Runs every command through its decider, in memory, one event list per stream. */
const streams = new Map<string, Event[]>()
for (const { aggregate, id, command } of entries) {
  const decider = deciderFor(aggregate)
  const streamId = decider.streamId(id)
  const events = streams.get(streamId) ?? []
  const produced = decider.decide(command, events.reduce(decider.evolve, decider.initialState()))
  streams.set(streamId, [...events, ...produced])
}
const stateOf = (aggregate: Parameters<typeof deciderFor>[0], id: string) => {
  const decider = deciderFor(aggregate)
  return (streams.get(decider.streamId(id)) ?? []).reduce(decider.evolve, decider.initialState())
}
const idOf = (aggregate: string) => entries.find((e) => e.aggregate === aggregate)!.id

t.test(
  'every command of the scenario is accepted and routed to the aggregate it names',
  async (t) => {
    t.equal(entries.length, 10)
    for (const entry of entries) {
      const routed = route(entry.command)
      t.strictSame([routed.aggregate, routed.id], [entry.aggregate, entry.id], entry.command.type)
    }
    t.strictSame([...streams.keys()].sort(), [
      'call-id-1',
      'meeting-id-7',
      'relationship-FR-US',
      'statement-id-2',
      'visit-id-3',
    ])
  },
)

t.test(
  'every command is sourced, by the White House or by AP citing it, and issued by the actor',
  async (t) => {
    for (const { command } of entries) {
      t.ok(command.metadata.sources.length >= 1, `${command.type} has a source`)
      t.equal(command.metadata.actor, 'seed')
      for (const source of command.metadata.sources) {
        t.ok(['The White House', 'The Associated Press'].includes(source.publisher))
        if (source.publisher === 'The Associated Press')
          t.match(source.derivedFrom, [{ publisher: 'The White House' }], 'AP cites the release')
      }
    }
  },
)

t.test(
  'the visit is to Paris in November, with both engagements, the talks and Emhoff',
  async (t) => {
    t.match(stateOf('visit', idOf('visit')), {
      status: 'scheduled',
      visit: {
        visitor: { id: 'Q10853588', name: 'Kamala Harris' },
        destination: { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
        period: { edtf: '2021-11', precision: 'month', phrase: 'next month' },
        dyad: ['FR', 'US'],
        engagements: [
          {
            kind: 'speech',
            title: /Paris Peace Forum/,
            period: { edtf: '2021-11-11', precision: 'day' },
          },
          {
            kind: 'conference',
            title: 'Paris Conference on Libya',
            period: { edtf: '2021-11-12' },
          },
          { kind: 'talks', period: { edtf: '2021-11' }, counterparts: [{ id: 'Q3052772' }] },
        ],
        delegation: [
          { person: { name: 'Douglas Emhoff', office: /Second Gentleman/ }, role: 'spouse' },
        ],
      },
    })
  },
)

t.test(
  'the call of Friday 22 October has two participants, its topics and the quoted line',
  async (t) => {
    const call = stateOf('call', idOf('call'))
    t.match(call, {
      status: 'recorded',
      call: {
        participants: [{ id: 'Q6279' }, { id: 'Q3052772' }],
        date: { edtf: '2021-10-22', phrase: 'on Friday', relativeTo: '2021-10-23' },
        topics: [/Sahel/, /Indo-Pacific/, /European defence/, /Rome/, /visit to Paris/],
        quotes: [{ text: /November visit by Vice President Harris to Paris as a key opportunity/ }],
      },
    })
    t.equal((call as { call: { participants: unknown[] } }).call.participants.length, 2)
  },
)

t.test(
  'the Rome meeting keeps the window "later this month", not the summit’s dates',
  async (t) => {
    t.match(stateOf('meeting', idOf('meeting')), {
      status: 'announced',
      meeting: {
        participants: [{ id: 'Q6279' }, { id: 'Q3052772' }],
        place: { city: 'Rome', country: 'IT' },
        window: {
          edtf: '[2021-10-23..2021-10-31]',
          phrase: 'later this month',
          relativeTo: '2021-10-22',
          earliest: '2021-10-23T00:00:00.000Z',
          latest: '2021-10-31T23:59:59.999Z',
        },
        occasion: /G20/,
        format: 'sidelines',
      },
    })
  },
)

t.test(
  'the FR-US relationship has the AUKUS friction open and is assessed as recovering',
  async (t) => {
    t.match(stateOf('relationship', 'FR-US'), {
      status: 'tracked',
      dyad: ['FR', 'US'],
      frictions: [
        {
          title: /AUKUS/,
          description: /\$60 billion.*Naval Group/s,
          status: 'open',
          thirdParties: ['AU', 'GB'],
        },
      ],
      assessment: { label: 'recovering' },
    })
  },
)

t.test(
  'the White House readout is recorded and points at the call, the meeting and the visit',
  async (t) => {
    t.match(stateOf('statement', idOf('statement')), {
      status: 'published',
      statement: {
        kind: 'readout',
        issuer: { name: 'The White House', country: 'US' },
        relatesTo: [
          { aggregate: 'call', id: idOf('call') },
          { aggregate: 'meeting', id: idOf('meeting') },
          { aggregate: 'visit', id: idOf('visit') },
        ],
      },
    })
  },
)

t.test(
  'the interactions coded from the article all concern France and the United States',
  async (t) => {
    const interactions = [...streams.values()]
      .flat()
      .flatMap(
        (e) => (e.data as { interactions?: { kind: string; dyad: string[] }[] }).interactions ?? [],
      )
    t.strictSame(interactions.map((i) => i.kind).sort(), [
      'call',
      'friction-serious',
      'meeting-announced',
      'visit-scheduled',
    ])
    t.ok(interactions.every((i) => i.dyad.join('-') === 'FR-US'))
  },
)

t.test('the scenario needs no clock: the same ids and time give the same commands', async (t) => {
  let m = 0
  t.strictSame(seedScenario({ newId: () => `id-${++m}`, actor: 'seed' }), entries)
})
