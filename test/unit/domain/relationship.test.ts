import t from 'tap'
import type {
  FrictionRecorded,
  RelationshipCommand,
  RelationshipEvent,
} from '../../../src/domain/relationship/index.js'
import {
  codeInteraction,
  INTERACTION_CODING,
  INTERACTION_CODING_VERSION,
  relationshipDecider,
  relationshipId,
  relationshipStreamId,
} from '../../../src/domain/relationship/index.js'
import { ap, meta, time } from './fixtures.js'
import { specFor } from './spec.js'

const relationship = specFor(relationshipDecider)
const sources = [ap]
const m = meta({ sources })
const command = (type: RelationshipCommand['type'], data: object, dyad = ['US', 'FR']) =>
  ({ type, data: { dyad, ...data }, metadata: m }) as RelationshipCommand
const aukus = {
  frictionId: 'aukus',
  title: 'AUKUS',
  description: 'The lost submarine deal',
  severity: 'serious' as const,
}
const recorded: FrictionRecorded = {
  type: 'FrictionRecorded',
  data: {
    ...aukus,
    dyad: ['FR', 'US'],
    thirdParties: ['AU', 'GB'],
    topics: [],
    interactions: [codeInteraction('friction-serious', ['FR', 'US'], '2021-10-22T18:00:00.000Z')],
    sources,
  },
}
const resolved: RelationshipEvent = {
  type: 'FrictionResolved',
  data: { dyad: ['FR', 'US'], frictionId: 'aukus', resolution: 'mended', sources },
}

t.test('a pair’s id and stream sort its ISO codes', async (t) => {
  t.equal(relationshipId('US', 'FR'), 'FR-US')
  t.equal(relationshipStreamId('US-FR'), 'relationship-FR-US')
  t.equal(relationshipDecider.streamId('FR-US'), 'relationship-FR-US')
})

t.test('the coding table is versioned and scales friction by severity', async (t) => {
  t.equal(INTERACTION_CODING_VERSION, '2021.1')
  t.match(INTERACTION_CODING.call, {
    cameo: '041',
    goldstein: 1,
    plover: 'CONSULT',
    mode: 'phone',
    weight: 1.5,
  })
  t.match(INTERACTION_CODING['visit-completed'], { plover: 'CONSULT', mode: 'visit', weight: 4 })
  t.match(INTERACTION_CODING['visit-scheduled'], { plover: 'AGREE', weight: 2.5 })
  const weights = (['minor', 'serious', 'severe'] as const).map(
    (s) => INTERACTION_CODING[`friction-${s}`].weight,
  )
  t.ok(
    weights.every((w, i) => w < 0 && (i === 0 || w < weights[i - 1]!)),
    'friction weighs more the more severe',
  )
  for (const [kind, code] of Object.entries(INTERACTION_CODING))
    t.equal(
      Math.sign(code.goldstein),
      Math.sign(code.weight),
      `${kind}: Goldstein and weight agree in sign`,
    )
})

t.test(
  'RecordFriction records an open friction with its third parties, coded by severity',
  async (t) => {
    const state = relationship(t)
      .given([])
      .when(command('RecordFriction', { ...aukus, thirdParties: ['AU', 'GB'] }))
      .then([recorded])
    t.match(state, {
      status: 'tracked',
      dyad: ['FR', 'US'],
      frictions: [{ frictionId: 'aukus', status: 'open' }],
    })
  },
)

t.test(
  'RecordFriction is refused for a pair that is one country, or an unknown code',
  async (t) => {
    relationship(t)
      .given([])
      .when(command('RecordFriction', aukus, ['FR', 'FR']))
      .thenThrows('dyad-same-country', '/dyad')
    relationship(t)
      .given([])
      .when(command('RecordFriction', aukus, ['FR', 'XX']))
      .thenThrows('iso-3166-1-alpha-2', '/dyad/1')
  },
)

t.test(
  'RecordFriction is refused for a third party that is one of the pair, or a bad severity',
  async (t) => {
    relationship(t)
      .given([])
      .when(command('RecordFriction', { ...aukus, thirdParties: ['US'] }))
      .thenThrows('dyad-same-country', '/thirdParties/0')
    relationship(t)
      .given([])
      .when(command('RecordFriction', { ...aukus, severity: 'huge' }))
      .thenThrows('one-of', '/severity')
  },
)

t.test('RecordFriction is refused for a friction id already used', async (t) => {
  relationship(t)
    .given([recorded])
    .when(command('RecordFriction', aukus))
    .thenThrows('friction-id-taken', '/frictionId')
})

t.test('a command for another pair is refused in this stream', async (t) => {
  relationship(t)
    .given([recorded])
    .when(command('RecordFriction', aukus, ['GB', 'FR']))
    .thenThrows('dyad-mismatch', '/dyad')
})

t.test('ResolveFriction closes an open friction', async (t) => {
  const state = relationship(t)
    .given([recorded])
    .when(command('ResolveFriction', { frictionId: 'aukus', resolution: 'mended' }))
    .then([resolved])
  t.match(state, { frictions: [{ status: 'resolved', resolution: 'mended' }] })
})

t.test('ResolveFriction is refused for an unknown or already resolved friction', async (t) => {
  relationship(t)
    .given([])
    .when(command('ResolveFriction', { frictionId: 'aukus', resolution: 'x' }))
    .thenThrows('unknown-friction', '/frictionId')
  relationship(t)
    .given([recorded, resolved])
    .when(command('ResolveFriction', { frictionId: 'aukus', resolution: 'x' }))
    .thenThrows('friction-already-resolved', '/frictionId')
})

t.test('RecordCooperation records cooperation, coded by its area on its date', async (t) => {
  const date = time('2021-10')
  relationship(t)
    .given([])
    .when(command('RecordCooperation', { area: 'security', topic: 'Sahel', date }))
    .then([
      {
        type: 'CooperationRecorded',
        data: {
          area: 'security',
          topic: 'Sahel',
          date,
          dyad: ['FR', 'US'],
          interactions: [codeInteraction('cooperation-security', ['FR', 'US'], date.earliest!)],
          sources,
        },
      },
    ])
})

t.test('RecordCooperation is refused for an unknown area or without a topic', async (t) => {
  relationship(t)
    .given([])
    .when(command('RecordCooperation', { area: 'cultural', topic: 'x' }))
    .thenThrows('one-of', '/area')
  relationship(t)
    .given([])
    .when(command('RecordCooperation', { area: 'security' }))
    .thenThrows('required', '/topic')
})

t.test('AssessRelationship records the analyst’s label and rationale', async (t) => {
  const state = relationship(t)
    .given([recorded])
    .when(command('AssessRelationship', { label: 'recovering', rationale: 'mending ties' }))
    .then([
      {
        type: 'RelationshipAssessed',
        data: { label: 'recovering', rationale: 'mending ties', dyad: ['FR', 'US'], sources },
      },
    ])
  t.match(state, { assessment: { label: 'recovering' } })
})

t.test('AssessRelationship is refused for an unknown label or without a rationale', async (t) => {
  relationship(t)
    .given([])
    .when(command('AssessRelationship', { label: 'frosty', rationale: 'x' }))
    .thenThrows('one-of', '/label')
  relationship(t)
    .given([])
    .when(command('AssessRelationship', { label: 'close' }))
    .thenThrows('required', '/rationale')
})
