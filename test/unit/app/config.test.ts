import t from 'tap'
import { type ConfigError, describeConfig, loadConfig } from '../../../src/app/config.js'

t.test(
  'with nothing set it serves the embedded store on 127.0.0.1:3000 with the relay off',
  async (t) => {
    const config = loadConfig({}, '/srv/entente')
    t.same(config.database, { kind: 'pglite', dataDir: '/srv/entente/.data/pglite' })
    t.equal(config.kafka, undefined)
    t.equal(config.port, 3000)
    t.equal(config.host, '127.0.0.1')
    t.equal(config.logLevel, 'info')
  },
)

t.test('DATABASE_URL and KAFKA_BROKERS select Postgres and the relay', async (t) => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://entente@db:5432/entente',
    DATABASE_POOL_SIZE: '20',
    KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
    PORT: '8080',
    HOST: '0.0.0.0',
    LOG_LEVEL: 'debug',
  })
  t.same(config.database, {
    kind: 'postgres',
    url: 'postgres://entente@db:5432/entente',
    poolSize: 20,
    connectTimeoutMs: 2_000,
  })
  t.same(config.kafka, {
    brokers: ['kafka-1:9092', 'kafka-2:9092'],
    topicPrefix: 'entente',
    partitions: 3,
    replicationFactor: undefined,
    retentionMs: 7 * 24 * 3600 * 1000,
  })
  t.equal(config.port, 8080)
  t.equal(config.host, '0.0.0.0')
  t.equal(config.logLevel, 'debug')
})

t.test('DATABASE_CONNECT_TIMEOUT_MS sets how long a request waits for a connection', async (t) => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://entente@db:5432/entente',
    DATABASE_CONNECT_TIMEOUT_MS: '5000',
  })
  t.match(config.database, { kind: 'postgres', connectTimeoutMs: 5_000 })
  t.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://db/entente', DATABASE_CONNECT_TIMEOUT_MS: '0' }),
    /DATABASE_CONNECT_TIMEOUT_MS: must be from 100/,
  )
})

t.test('the topic prefix, partitions, replication and retention can be set', async (t) => {
  const config = loadConfig({
    KAFKA_BROKERS: 'k:9092',
    KAFKA_TOPIC_PREFIX: 'acme.entente',
    KAFKA_TOPIC_PARTITIONS: '12',
    KAFKA_TOPIC_REPLICATION_FACTOR: '3',
    KAFKA_TOPIC_RETENTION_MS: '-1',
  })
  t.same(config.kafka, {
    brokers: ['k:9092'],
    topicPrefix: 'acme.entente',
    partitions: 12,
    replicationFactor: 3,
    retentionMs: -1,
  })
})

t.test('each bad variable is refused with a message that names it', async (t) => {
  const cases: [NodeJS.ProcessEnv, string][] = [
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://h/db', DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'a:9092,b:99999' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_TOPIC_PREFIX: 'a b' }, 'KAFKA_TOPIC_PREFIX'],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_TOPIC_PREFIX: 'entente.' }, 'KAFKA_TOPIC_PREFIX'],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_TOPIC_PARTITIONS: '0' }, 'KAFKA_TOPIC_PARTITIONS'],
    [
      { KAFKA_BROKERS: 'k:9092', KAFKA_TOPIC_REPLICATION_FACTOR: 'x' },
      'KAFKA_TOPIC_REPLICATION_FACTOR',
    ],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_TOPIC_RETENTION_MS: '-5' }, 'KAFKA_TOPIC_RETENTION_MS'],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_TOPIC_RETENTION_MS: '10' }, 'KAFKA_TOPIC_RETENTION_MS'],
    [{ PORT: 'http' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ENTENTE_ADMIN_KEY: 'short' }, 'ENTENTE_ADMIN_KEY'],
    [{ ENTENTE_ADMIN_KEY: 'with spaces with spaces with spaces with spaces' }, 'ENTENTE_ADMIN_KEY'],
    [{ RATE_LIMIT_PER_KEY: '0' }, 'RATE_LIMIT_PER_KEY'],
    [{ RATE_LIMIT_PER_ADDRESS: 'many' }, 'RATE_LIMIT_PER_ADDRESS'],
    [{ IDEMPOTENCY_RETENTION_HOURS: '0' }, 'IDEMPOTENCY_RETENTION_HOURS'],
    [{ IDEMPOTENCY_RETENTION_HOURS: '1.5' }, 'IDEMPOTENCY_RETENTION_HOURS'],
    [{ READ_CACHE_MB: '-1' }, 'READ_CACHE_MB'],
    [{ READ_CACHE_MB: 'lots' }, 'READ_CACHE_MB'],
  ]
  for (const [env, variable] of cases) {
    t.throws(
      () => loadConfig(env),
      { name: 'ConfigError', variable },
      `${JSON.stringify(env)} names ${variable}`,
    )
    try {
      loadConfig(env)
    } catch (error) {
      t.match((error as ConfigError).message, new RegExp(`^${variable}: `))
    }
  }
})

t.test(
  'ENTENTE_ADMIN_KEY is read but never described, and never echoed when refused',
  async (t) => {
    const secret = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
    const config = loadConfig({ ENTENTE_ADMIN_KEY: secret })
    t.equal(config.adminKey, secret)
    t.notMatch(JSON.stringify(describeConfig(config)), secret)
    t.throws(() => loadConfig({ ENTENTE_ADMIN_KEY: 'tooShortSecret' }), {
      message: /^ENTENTE_ADMIN_KEY: must be at least 32/,
    })
    try {
      loadConfig({ ENTENTE_ADMIN_KEY: 'tooShortSecret' })
    } catch (error) {
      t.notMatch((error as Error).message, 'tooShortSecret')
    }
  },
)

t.test('rate limits default to 6000 a minute per key and 300 per address', async (t) => {
  t.same(loadConfig({}).rateLimits, { perKey: 6_000, perAddress: 300 })
  t.same(loadConfig({ RATE_LIMIT_PER_KEY: '50', RATE_LIMIT_PER_ADDRESS: '5' }).rateLimits, {
    perKey: 50,
    perAddress: 5,
  })
})

t.test('idempotency keys are kept 24 hours unless IDEMPOTENCY_RETENTION_HOURS says', async (t) => {
  t.equal(loadConfig({}).idempotencyRetentionMs, 24 * 3_600_000)
  t.equal(
    loadConfig({ IDEMPOTENCY_RETENTION_HOURS: '168' }).idempotencyRetentionMs,
    168 * 3_600_000,
  )
})

t.test('the read cache holds 64 MiB unless READ_CACHE_MB says (0: off)', async (t) => {
  t.equal(loadConfig({}).readCacheBytes, 64 * 1024 * 1024)
  t.equal(loadConfig({ READ_CACHE_MB: '0' }).readCacheBytes, 0)
  t.equal(loadConfig({ READ_CACHE_MB: '256' }).readCacheBytes, 256 * 1024 * 1024)
})

t.test(
  'serve runs the projections unless PROJECTIONS=off leaves them to other processes',
  async (t) => {
    const url = 'postgres://app@db:5432/entente'
    t.equal(loadConfig({}).projections, true)
    t.equal(loadConfig({ DATABASE_URL: url, PROJECTIONS: 'on' }).projections, true)
    t.equal(loadConfig({ DATABASE_URL: url, PROJECTIONS: 'off' }).projections, false)
    t.throws(() => loadConfig({ DATABASE_URL: url, PROJECTIONS: 'no' }), {
      variable: 'PROJECTIONS',
      message: /on or off/,
    })
    // The embedded store belongs to one process: nobody else could run them.
    t.throws(() => loadConfig({ PROJECTIONS: 'off' }), {
      variable: 'PROJECTIONS',
      message: /DATABASE_URL/,
    })
  },
)
