import { Parser } from '@asyncapi/parser'
import t from 'tap'
import { buildApp } from '../../src/api/app.js'
import { EVENT_SCHEMAS } from '../../src/domain/event-schemas.js'
import { buildAsyncApiDocument, EVENT_TYPES_BY_AGGREGATE } from '../../src/messaging/asyncapi.js'
import { EVENT_DATA_SCHEMAS } from '../../src/schemas/events.js'

const kafka = {
  brokers: ['kafka-1:9092', 'kafka-2:9092'],
  topicPrefix: 'entente',
  partitions: 6,
  retentionMs: 604_800_000,
}

t.test('the AsyncAPI document is served at /asyncapi.json without a key', async (t) => {
  const document = buildAsyncApiDocument({ version: '1.2.3', kafka })
  const app = await buildApp({ readiness: [], asyncApi: document })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/asyncapi.json' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  t.same(response.json(), JSON.parse(JSON.stringify(document)), 'the whole document')
})

t.test('@asyncapi/parser finds the document valid, without errors or warnings', async (t) => {
  const document = buildAsyncApiDocument({ version: '1.2.3', kafka })
  const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document))
  // Severity 0 is an error, 1 a warning.
  const problems = diagnostics.filter((d) => d.severity <= 1)
  t.same(
    problems.map((d) => `${d.code} ${d.path.join('/')}: ${d.message}`),
    [],
    'no errors or warnings',
  )
  t.ok(parsed, 'the parser built a document')
  if (!parsed) return
  t.equal(parsed.version(), '3.0.0')
  t.same(
    parsed
      .channels()
      .all()
      .map((c) => c.address())
      .sort(),
    [
      'entente.call.v1',
      'entente.meeting.v1',
      'entente.relationship.v1',
      'entente.statement.v1',
      'entente.visit.v1',
    ],
    'a channel per aggregate type',
  )
  const visit = parsed.channels().get('visit')!
  t.ok(
    visit
      .messages()
      .all()
      .some((m) => m.name() === 'VisitScheduled'),
    'visit events are on the visit channel',
  )
  t.equal(parsed.operations().all().length, 5, 'a receive operation per channel')
  const message = parsed.components().messages().get('VisitScheduled')!
  t.equal(message.payload()?.id(), 'EventData.VisitScheduled.v1', 'the payload is the data schema')
  t.ok(message.headers()?.properties()?.ce_id, 'headers name ce_id')
})

t.test(
  'every event type is a message, with the data schema the OpenAPI document uses',
  async (t) => {
    const document = buildAsyncApiDocument({ version: '1.2.3' }) as {
      components: { messages: Record<string, unknown>; schemas: Record<string, unknown> }
    }
    t.same(Object.keys(document.components.messages).sort(), Object.keys(EVENT_SCHEMAS).sort())
    for (const schema of Object.values(EVENT_DATA_SCHEMAS))
      t.equal(document.components.schemas[schema.$id], schema, `${schema.$id} is the same object`)
    const onChannels = Object.values(EVENT_TYPES_BY_AGGREGATE).flat()
    t.equal(new Set(onChannels).size, onChannels.length, 'each fact on one channel')
    t.same(
      [...onChannels, 'FactCorrected', 'FactRetracted'].sort(),
      Object.keys(EVENT_SCHEMAS).sort(),
      'every event type has a channel',
    )
  },
)
