// The relay inside the service: started with KAFKA_BROKERS, shown in /health/ready, its
// AsyncAPI document served; with the broker unreachable the service stays ready and commands
// are answered 2xx over HTTP.
import t, { type Test } from 'tap'
import type { KafkaConfig } from '../../../src/app/config.js'
import { startService } from '../../../src/app/serve.js'
import { bearer, TEST_ADMIN_KEY } from '../../helpers/api-keys.js'
import { createTestDatabase } from '../../helpers/postgres.js'
import { seedRequests } from '../../helpers/seed-http.js'
import { brokerRequired, kafkaFor, waitFor } from './kafka.js'

const needsBroker = brokerRequired(t)

async function serviceWith(t: Test, kafka: KafkaConfig) {
  const url = await createTestDatabase(t)
  const service = await startService({
    database: { kind: 'postgres', url, poolSize: 4 },
    kafka,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    adminKey: TEST_ADMIN_KEY,
    rateLimits: { perKey: 100_000, perAddress: 1_000 },
  })
  t.teardown(() => service.close())
  return service
}

t.test('the service runs the relay and reports it in /health/ready', needsBroker, async (t) => {
  const service = await serviceWith(t, kafkaFor(t))
  await waitFor(
    () => service.relay.status().state === 'active',
    () => JSON.stringify(service.relay.status()),
  )
  const ready = await service.app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.match(ready.json().checks.relay, { status: 'up', detail: /^active; / })
  const asyncApi = await service.app.inject({ method: 'GET', url: '/asyncapi.json' })
  t.equal(asyncApi.statusCode, 200)
  t.equal(asyncApi.json().asyncapi, '3.0.0')
})

t.test('with the broker unreachable the service stays ready and accepts commands', async (t) => {
  // Port 1 on the loopback: nothing listens, connections are refused at once.
  const service = await serviceWith(t, { ...kafkaFor(t, ['127.0.0.1:1']) })
  // Over HTTP, as a client sees it: every command of the seed article answered 2xx.
  for (const request of seedRequests()) {
    const response = await fetch(new URL(request.url, service.url), {
      method: 'POST',
      headers: { ...bearer(TEST_ADMIN_KEY), 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
    })
    t.ok(response.ok, `${request.type} answered ${response.status}`)
  }
  await waitFor(
    () => service.relay.status().state === 'backing-off',
    () => JSON.stringify(service.relay.status()),
  )
  const ready = await service.app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200, 'still ready')
  t.match(ready.json().checks.relay, { status: 'down', critical: false, error: /^backing-off; / })
})
