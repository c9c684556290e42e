import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

// The baseline of the read benchmark: a bare Fastify route answering the same JSON as the
// service's read model route, with nothing else (no auth, no hooks, no database).
const [file, port] = process.argv.slice(2)
const doc = JSON.parse(readFileSync(file!, 'utf8')) as unknown
const app = Fastify({ logger: false })
app.get('/v1/visits/:id', async () => doc)
app.get('/health/live', async () => ({ status: 'ok' }))
await app.listen({ port: Number(port), host: '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
