import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import pg from 'pg'

// The baselines of the read benchmark: a bare Fastify route answering the same JSON as the
// service's read model route, with nothing else (no auth, no hooks, no database); and, when
// given a database, the same route after the one query the service's read runs (the document
// and the stream version it reflects), on a pool as large as the service's: the most any
// uncached read could do.
const [file, port, databaseUrl] = process.argv.slice(2)
const doc = JSON.parse(readFileSync(file!, 'utf8')) as unknown
const app = Fastify({ logger: false })
app.get('/v1/visits/:id', async () => doc)
app.get('/health/live', async () => ({ status: 'ok' }))
const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 32 }) : undefined
if (pool)
  app.get<{ Params: { id: string } }>('/query/v1/visits/:id', async (request) => {
    const { rows } = await pool.query(
      `select d.doc,
              case when jsonb_typeof(d.doc->'position') = 'number' then
                (select max(e.stream_version)
                   from events e join events p on p.global_position = (d.doc->>'position')::bigint
                  where e.stream_id = $1
                    and (e.transaction_id, e.global_position) <= (p.transaction_id, p.global_position))
              else (select max(e.stream_version) from events e where e.stream_id = $1)
              end as version
         from projection_documents d
        where d.projection = 'itinerary'
          and d.generation = (select active_generation from projections where name = 'itinerary')
          and d.kind = 'visit' and d.id = $2`,
      [`visit-${request.params.id}`, request.params.id],
    )
    if (rows.length !== 1) throw new Error('no such visit')
    return doc
  })
await app.listen({ port: Number(port), host: '127.0.0.1' })
process.on(
  'SIGTERM',
  () =>
    void app.close().then(async () => {
      await pool?.end()
      process.exit(0)
    }),
)
