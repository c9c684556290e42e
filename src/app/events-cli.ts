import { randomUUID } from 'node:crypto'
import type { Command } from 'commander'
import { consumeEvents } from '../messaging/index.js'
import { ConfigError, loadConfig } from './config.js'

/**
 * `entente events tail [--from-beginning] [--type T…]`: follows the event stream on Kafka and
 * prints each event once (deduped by ce_id) as a JSON line, until SIGINT/SIGTERM. It reads in a
 * consumer group of its own, so it never takes messages from a subscribing system's group.
 */
export function addEventCommands(program: Command, environmentHelp: string): void {
  const events = program.command('events').description('the event stream on Kafka')
  events
    .command('tail')
    .description('print events from Kafka as JSON lines, each once (deduped by ce_id)')
    .option('--from-beginning', 'start from the oldest retained event, not from new ones')
    .option('--type <types...>', 'only these event types, e.g. VisitScheduled CallRecorded')
    .option('--group <groupId>', 'consumer group (default: a new one per run)')
    .addHelpText('after', environmentHelp)
    .action(async (options: { fromBeginning?: boolean; type?: string[]; group?: string }) => {
      const { kafka } = loadConfig()
      if (!kafka) throw new ConfigError('KAFKA_BROKERS', 'must be set to tail the event stream')
      const consumer = await consumeEvents({
        brokers: kafka.brokers,
        topicPrefix: kafka.topicPrefix,
        groupId: options.group ?? `entente-tail-${randomUUID()}`,
        clientId: 'entente-tail',
        fromBeginning: options.fromBeginning ?? false,
        types: options.type,
        onEvent: (event) => {
          process.stdout.write(`${JSON.stringify(event)}\n`)
        },
      })
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await consumer.stop()
    })
}
