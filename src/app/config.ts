import path from 'node:path'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/** Settings of one Entente process, read from the environment and checked at start. */
export interface Config {
  /** A Postgres server, or the embedded PGlite store in `dataDir` when absent. */
  database:
    | {
        kind: 'postgres'
        url: string
        poolSize: number
        /** How long a query waits for a connection before it fails (DATABASE_CONNECT_TIMEOUT_MS). */
        connectTimeoutMs?: number
      }
    | { kind: 'pglite'; dataDir: string }
  /** Kafka bootstrap brokers and the topics the relay publishes to; the relay is off when absent. */
  kafka: KafkaConfig | undefined
  port: number
  host: string
  logLevel: LogLevel
  /** An admin API key given to the process (ENTENTE_ADMIN_KEY); never logged or stored. */
  adminKey: string | undefined
  /** Requests per minute: per API key, and per client address without a valid key. */
  rateLimits: { perKey: number; perAddress: number }
  /** How long an Idempotency-Key is remembered after its first use (ms; default 24 h). */
  idempotencyRetentionMs?: number
  /** Memory for read-model documents read lately, in stored bytes (READ_CACHE_MB; 0: off). */
  readCacheBytes?: number
  /**
   * While appends keep coming, a projection runner's batches come at most this often
   * (PROJECTION_BATCH_INTERVAL_MS; see `RunnerOptions.batchIntervalMs`).
   */
  projectionBatchIntervalMs?: number
  /**
   * Whether `entente serve` runs the read-model runners (PROJECTIONS=on, the default) or leaves
   * them to other processes (`off`: e.g. `entente projections run`); Postgres only.
   */
  projections?: boolean
}

/** Where the relay publishes the event stream, and how its topics are created when missing. */
export interface KafkaConfig {
  brokers: string[]
  /** Topics are `<prefix>.<aggregate>.v1`, e.g. `entente.visit.v1`. */
  topicPrefix: string
  /** Partitions of each topic created at start. */
  partitions: number
  /** Replicas of each topic created at start; absent: the broker's default.replication.factor. */
  replicationFactor: number | undefined
  /** How long the broker keeps messages (retention.ms); -1 keeps them forever. */
  retentionMs: number
}

/** A variable that is set but wrong. The message names the variable and the rule. */
export class ConfigError extends Error {
  readonly variable: string

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
    this.variable = variable
  }
}

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
]
/** Kafka's legal topic characters, less the trailing dot that would make `prefix..visit`. */
const TOPIC_PREFIX = /^[A-Za-z0-9._-]{1,200}$/
const WEEK_MS = 7 * 24 * 3600 * 1000
const HOUR_MS = 3_600_000
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * HOUR_MS
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max)
    throw new ConfigError(name, `must be from ${min} to ${max}, got ${value}`)
  return value
}

/** Long enough that guessing it is hopeless. */
const ADMIN_KEY_MIN_LENGTH = 32
const ADMIN_KEY = /^[\x21-\x7e]+$/

function topicSettings(env: NodeJS.ProcessEnv): Omit<KafkaConfig, 'brokers'> {
  const topicPrefix = env.KAFKA_TOPIC_PREFIX?.trim() || 'entente'
  if (!TOPIC_PREFIX.test(topicPrefix) || topicPrefix.endsWith('.'))
    throw new ConfigError(
      'KAFKA_TOPIC_PREFIX',
      `must be letters, digits, ".", "_" or "-" (not ending in "."), got "${topicPrefix}"`,
    )
  const retention = env.KAFKA_TOPIC_RETENTION_MS?.trim()
  const retentionMs =
    retention === '-1' ? -1 : integer(env, 'KAFKA_TOPIC_RETENTION_MS', WEEK_MS, 60_000, 2 ** 53 - 1)
  const replication = env.KAFKA_TOPIC_REPLICATION_FACTOR?.trim()
  return {
    topicPrefix,
    partitions: integer(env, 'KAFKA_TOPIC_PARTITIONS', 3, 1, 1000),
    replicationFactor: replication
      ? integer(env, 'KAFKA_TOPIC_REPLICATION_FACTOR', 1, 1, 32)
      : undefined,
    retentionMs,
  }
}

/**
 * Reads the configuration from environment variables:
 * `DATABASE_URL`, `DATABASE_POOL_SIZE`, `DATABASE_CONNECT_TIMEOUT_MS`, `ENTENTE_DATA_DIR`, `KAFKA_BROKERS`,
 * `KAFKA_TOPIC_PREFIX`, `KAFKA_TOPIC_PARTITIONS`, `KAFKA_TOPIC_REPLICATION_FACTOR`,
 * `KAFKA_TOPIC_RETENTION_MS`, `PORT`, `HOST`, `LOG_LEVEL`,
 * `ENTENTE_ADMIN_KEY`, `RATE_LIMIT_PER_KEY`, `RATE_LIMIT_PER_ADDRESS`,
 * `IDEMPOTENCY_RETENTION_HOURS`, `READ_CACHE_MB`, `PROJECTION_BATCH_INTERVAL_MS`, `PROJECTIONS`.
 * Throws a ConfigError naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  let database: Config['database']
  const url = env.DATABASE_URL?.trim()
  if (url) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new ConfigError('DATABASE_URL', 'must be a URL such as postgres://user@host:5432/db')
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
      throw new ConfigError('DATABASE_URL', `must start with postgres://, got ${parsed.protocol}//`)
    database = {
      kind: 'postgres',
      url,
      poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
      connectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', 2_000, 100, 600_000),
    }
  } else {
    const dataDir = env.ENTENTE_DATA_DIR?.trim() || path.join('.data', 'pglite')
    database = { kind: 'pglite', dataDir: path.resolve(cwd, dataDir) }
  }

  let kafka: Config['kafka']
  const brokers = env.KAFKA_BROKERS?.trim()
  if (brokers) {
    const list = brokers.split(',').map((b) => b.trim())
    for (const broker of list) {
      const match = HOST_PORT.exec(broker)
      if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535)
        throw new ConfigError(
          'KAFKA_BROKERS',
          `must be a comma-separated list of host:port, got "${broker}"`,
        )
    }
    kafka = { brokers: list, ...topicSettings(env) }
  }

  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as LogLevel
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)

  const adminKey = env.ENTENTE_ADMIN_KEY?.trim() || undefined
  // The message never repeats the value: it is a secret.
  if (adminKey && (adminKey.length < ADMIN_KEY_MIN_LENGTH || !ADMIN_KEY.test(adminKey)))
    throw new ConfigError(
      'ENTENTE_ADMIN_KEY',
      `must be at least ${ADMIN_KEY_MIN_LENGTH} printable characters without spaces ` +
        '(e.g. openssl rand -base64 32)',
    )

  const projections = env.PROJECTIONS?.trim() || 'on'
  if (projections !== 'on' && projections !== 'off')
    throw new ConfigError('PROJECTIONS', `must be on or off, got "${projections}"`)
  if (projections === 'off' && database.kind === 'pglite')
    throw new ConfigError(
      'PROJECTIONS',
      'off needs DATABASE_URL: the embedded store belongs to one process, which runs its projections',
    )

  const host = env.HOST?.trim() || '127.0.0.1'
  return {
    database,
    kafka,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    logLevel,
    adminKey,
    rateLimits: {
      perKey: integer(env, 'RATE_LIMIT_PER_KEY', 6_000, 1, 10_000_000),
      perAddress: integer(env, 'RATE_LIMIT_PER_ADDRESS', 300, 1, 10_000_000),
    },
    idempotencyRetentionMs: integer(env, 'IDEMPOTENCY_RETENTION_HOURS', 24, 1, 8_760) * HOUR_MS,
    readCacheBytes: integer(env, 'READ_CACHE_MB', 64, 0, 65_536) * 1024 * 1024,
    projectionBatchIntervalMs: integer(env, 'PROJECTION_BATCH_INTERVAL_MS', 100, 0, 60_000),
    projections: projections === 'on',
  }
}

/** The configuration with secrets removed, for logs and `--help`. */
export function describeConfig(config: Config): Record<string, unknown> {
  const database =
    config.database.kind === 'postgres'
      ? {
          kind: 'postgres',
          url: redactUrl(config.database.url),
          poolSize: config.database.poolSize,
          connectTimeoutMs: config.database.connectTimeoutMs,
        }
      : config.database
  return { ...config, database, adminKey: config.adminKey ? '(set)' : undefined }
}

function redactUrl(url: string): string {
  const u = new URL(url)
  if (u.password) u.password = '***'
  return u.toString()
}
