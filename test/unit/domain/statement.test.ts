import t from 'tap'
import type { StatementCommand, StatementPublished } from '../../../src/domain/statement/index.js'
import { statementDecider, statementStreamId } from '../../../src/domain/statement/index.js'
import { meta, oct22, whiteHouse } from './fixtures.js'
import { specFor } from './spec.js'

const statement = specFor(statementDecider)
const statementId = 'wh-readout-2021-10-22'
const base = {
  statementId,
  kind: 'readout' as const,
  issuer: { name: 'The White House', country: 'US' },
  title: 'Readout',
  date: oct22,
}
const publish = (data: object = {}): StatementCommand => ({
  type: 'PublishStatement',
  data: { ...base, ...data } as StatementCommand['data'],
  metadata: meta(),
})
const published: StatementPublished = {
  type: 'StatementPublished',
  data: {
    ...base,
    topics: ['Sahel'],
    quotes: [{ text: 'take stock', speakerId: 'Q6279' }],
    relatesTo: [{ aggregate: 'call', id: 'c1' }],
    sources: [whiteHouse],
  },
}

t.test('the statement stream is statement-<id>', async (t) => {
  t.equal(statementStreamId('x'), 'statement-x')
})

t.test('PublishStatement records the readout with its topics, quotes and subjects', async (t) => {
  const state = statement(t)
    .given([])
    .when(
      publish({
        topics: ['Sahel'],
        quotes: [{ text: 'take stock', speakerId: 'Q6279' }],
        relatesTo: [{ aggregate: 'call', id: 'c1' }],
      }),
    )
    .then([published])
  t.equal(state.status, 'published')
})

t.test('PublishStatement is refused for a statement already published', async (t) => {
  statement(t)
    .given([published])
    .when(publish())
    .thenThrows('statement-already-published', '/statementId')
})

t.test(
  'PublishStatement is refused for a bad kind, issuer country, speaker or subject',
  async (t) => {
    statement(t)
      .given([])
      .when(publish({ kind: 'tweet' }))
      .thenThrows('one-of', '/kind')
    statement(t)
      .given([])
      .when(publish({ issuer: { name: 'The White House', country: 'USA' } }))
      .thenThrows('iso-3166-1-alpha-2', '/issuer/country')
    statement(t)
      .given([])
      .when(publish({ quotes: [{ text: 'x', speakerId: 'Joe Biden' }] }))
      .thenThrows('person-id', '/quotes/0/speakerId')
    statement(t)
      .given([])
      .when(publish({ relatesTo: [{ aggregate: 'friction', id: 'f' }] }))
      .thenThrows('one-of', '/relatesTo/0/aggregate')
  },
)

t.test('PublishStatement is refused without a source', async (t) => {
  statement(t)
    .given([])
    .when({ ...publish(), metadata: meta({ sources: [] }) })
    .thenThrows('source-required', '/sources')
})
