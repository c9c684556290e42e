import { Kafka, type LogEntry, logLevel } from 'kafkajs'

/** What the messaging layer logs through (pino fits). */
export interface MessagingLogger {
  debug(obj: object, msg: string): void
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export const silentLogger: MessagingLogger = { debug() {}, info() {}, warn() {}, error() {} }

let negativeTimeoutsQuiet = false

/**
 * kafkajs 2.2.4 sets timers with negative delays (kafkajs#1751); Node 24 then prints a
 * `TimeoutNegativeWarning` for each and runs the timer after 1 ms, which is what kafkajs meant.
 * This drops that one warning type, process-wide, once; every other warning still prints.
 */
export function quietNegativeTimeoutWarnings(): void {
  if (negativeTimeoutsQuiet) return
  negativeTimeoutsQuiet = true
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type =
      typeof rest[0] === 'string'
        ? rest[0]
        : ((rest[0] as { type?: string } | undefined)?.type ?? (warning as Error).name)
    if (type === 'TimeoutNegativeWarning') return
    emitWarning(warning, ...rest)
  }) as typeof process.emitWarning
}

/**
 * A kafkajs client whose own logs go to `logger` at debug level: the relay and the consumer
 * report what matters (an outage, its end) themselves, once, instead of kafkajs' line per retry.
 */
export function createKafka(options: {
  brokers: string[]
  clientId: string
  logger?: MessagingLogger
}): Kafka {
  quietNegativeTimeoutWarnings()
  const logger = options.logger ?? silentLogger
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    logLevel: logLevel.INFO,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...rest } = log
        logger.debug({ kafkajs: namespace, level, ...rest }, message)
      },
  })
}
