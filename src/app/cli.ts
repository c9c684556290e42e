import { Command, CommanderError } from 'commander'
import { verify } from '../eventstore/index.js'
import { ConfigError, loadConfig } from './config.js'
import { loadDemo } from './demo.js'
import { DataDirInUseError, openEventLog, restoredMessage } from './event-log.js'
import { addEventCommands } from './events-cli.js'
import { addKeyCommands, KeysCliError } from './keys-cli.js'
import { addProjectionCommands } from './projections-cli.js'
import { serve } from './serve.js'
import { VERSION } from './version.js'

const ENVIRONMENT_HELP = `
Environment:
  DATABASE_URL        Postgres server, e.g. postgres://user@host:5432/entente
                      (absent: the embedded PGlite store in ENTENTE_DATA_DIR)
  ENTENTE_DATA_DIR    folder of the embedded store (default .data/pglite)
  DATABASE_POOL_SIZE  connections to Postgres (default 10)
  KAFKA_BROKERS       host:port,host:port (absent: the Kafka relay is off)
  KAFKA_TOPIC_PREFIX  topics are <prefix>.<aggregate>.v1 (default entente)
  KAFKA_TOPIC_PARTITIONS, KAFKA_TOPIC_REPLICATION_FACTOR, KAFKA_TOPIC_RETENTION_MS
                      for topics the relay creates (default 3, the broker's, 7 days)
  PORT, HOST          where the API listens (default 3000 on 127.0.0.1)
  LOG_LEVEL           fatal|error|warn|info|debug|trace|silent (default info)
  ENTENTE_ADMIN_KEY   an admin API key for automation (32+ characters; never logged)
  RATE_LIMIT_PER_KEY  requests a minute per API key (default 6000)
  RATE_LIMIT_PER_ADDRESS  requests a minute per address without a valid key (default 300)`

/** The `entente` command line for operators. Each command reads the environment itself. */
export function buildCli(): Command {
  const program = new Command('entente')
    .description('Entente: the record of diplomatic engagements, as an event log')
    .version(VERSION)
    .addHelpText('after', ENVIRONMENT_HELP)
    .showHelpAfterError()

  program
    .command('serve')
    .description('serve the REST API (migrates the store first)')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(async () => {
      await serve(loadConfig())
    })

  program
    .command('migrate')
    .description('bring the event store schema to the latest version, then exit')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(async () => {
      const log = await openEventLog(loadConfig().database, undefined, (clock) =>
        console.log(restoredMessage(clock)),
      )
      await log.close()
      console.log(`migrated the ${log.backend} store to the latest schema`)
    })

  program
    .command('verify')
    .description("check every stream's hash chain; exits 1 when a link is broken")
    .option('--stream <streamId>', 'check one stream only')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(async (options: { stream?: string }) => {
      const log = await openEventLog(loadConfig().database)
      try {
        const report = await verify(log.db, { streamId: options.stream })
        console.log(JSON.stringify(report, null, 2))
        if (!report.ok) process.exitCode = 1
      } finally {
        await log.close()
      }
    })

  addProjectionCommands(program, ENVIRONMENT_HELP)
  addKeyCommands(program, ENVIRONMENT_HELP)
  addEventCommands(program, ENVIRONMENT_HELP)

  program
    .command('demo')
    .description('record the reference case (the seed article) in the configured store, once')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(async () => {
      const log = await openEventLog(loadConfig().database)
      try {
        const result = await loadDemo(log)
        if (result.alreadyLoaded) {
          console.log('the seed article is already recorded in this store')
          return
        }
        for (const h of result.handled)
          console.log(
            `${h.streamId} v${h.nextExpectedVersion}: ${h.events.map((e) => e.type).join(', ')}`,
          )
        console.log(`recorded the seed article: ${result.handled.length} commands`)
      } finally {
        await log.close()
      }
    })

  return program
}

/** Runs the CLI; configuration and usage errors print one clear line and exit 2. */
export async function runCli(argv: string[]): Promise<void> {
  const program = buildCli().exitOverride()
  try {
    await program.parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode
      return
    }
    if (
      error instanceof ConfigError ||
      error instanceof DataDirInUseError ||
      error instanceof KeysCliError
    ) {
      console.error(`entente: ${error.message}`)
      process.exitCode = 2
      return
    }
    throw error
  }
}
