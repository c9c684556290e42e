import type { ReadinessCheck } from '../api/routes/health.js'
import type { EventLogConnection } from '../eventstore/index.js'
import {
  KafkaRelay,
  type MessagingLogger,
  RELAY_DISABLED,
  type RelayStatus,
} from '../messaging/index.js'
import type { Config } from './config.js'

/** The relay as the rest of the service sees it: its status, and how to stop it. */
export interface RunningRelay {
  status(): RelayStatus
  stop(): Promise<void>
}

/**
 * Starts the Kafka relay when KAFKA_BROKERS is set; otherwise one that reports `disabled`.
 * Every instance starts one: the lease makes one of them active, the others stand by.
 */
export function startRelay(
  config: Pick<Config, 'kafka'>,
  log: EventLogConnection,
  logger: MessagingLogger,
): RunningRelay {
  if (!config.kafka) return { status: () => RELAY_DISABLED, stop: async () => {} }
  return new KafkaRelay({ log, kafka: config.kafka, logger }).start()
}

/**
 * The relay's line in /health/ready. Not critical: commands are accepted while the broker is
 * away (the relay catches up later), so a relay backing off must not take the instance out of
 * a load balancer; it shows as `down` with the reason, and the service stays ready.
 */
export function relayReadiness(relay: Pick<RunningRelay, 'status'>): ReadinessCheck {
  return {
    name: 'relay',
    critical: false,
    async check() {
      const s = relay.status()
      const detail = `${s.state}; ${s.lagPositions} events (${s.lagSeconds.toFixed(1)} s) behind; ${s.published} published, ${s.errors} errors`
      if (s.state === 'backing-off' || s.state === 'stopped')
        throw new Error(`${detail}${s.lastError ? `; last error: ${s.lastError}` : ''}`)
      return detail
    },
  }
}
