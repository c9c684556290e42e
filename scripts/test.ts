// `npm test`: gives the suites the real services they need, runs tap, and ends with one line
// "N passed, N failed" (what CI reads).
//
// Kafka: KAFKA_BROKERS when set; else a broker of its own from infra/kafka/broker.sh (run dir
// .kafka/test, deleted afterwards) when java and mvn exist; else CI fails and a developer is told
// that the Kafka suites skip. Postgres: DATABASE_URL when set; else the local server when one
// answers. Under CI=true a service that cannot be had fails the run before any test.
//
//   npm test                                         every suite
//   npm test -- test/integration/kafka-broker.test.ts   some files (any tap arguments pass through)
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const brokerScript = path.join(repo, 'infra', 'kafka', 'broker.sh')
const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres'
const ci = process.env.CI === 'true'
const env: NodeJS.ProcessEnv = { ...process.env }

/** A service that CI needs and cannot have: the run fails before any test. */
class SetupError extends Error {}

const say = (message: string) => console.error(`test: ${message}`)

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0
}

/** Runs a command, its stderr shown as it comes; resolves with its exit code and stdout. */
function run(
  command: string,
  args: string[],
  childEnv: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repo,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }))
  })
}

// --- Kafka -------------------------------------------------------------------------------------

/** The run dir of the broker this script started, to delete at the end; unset when none. */
let brokerRunDir: string | undefined

async function provideKafka(): Promise<void> {
  if (env.KAFKA_BROKERS) {
    say(`Kafka: ${env.KAFKA_BROKERS} (KAFKA_BROKERS)`)
    return
  }
  if (hasCommand('java') && hasCommand('mvn')) {
    // Set before starting, so that an interrupt during the start still removes the broker.
    brokerRunDir = path.join(repo, '.kafka', 'test')
    const started = await run('bash', [brokerScript, 'start'], {
      ...env,
      KAFKA_RUN_DIR: brokerRunDir,
    })
    const address = /^KAFKA_BROKERS=(.+)$/m.exec(started.stdout)?.[1]
    if (started.code !== 0 || address === undefined) {
      throw new SetupError(`infra/kafka/broker.sh start failed (exit ${started.code})`)
    }
    env.KAFKA_BROKERS = address
    // Outage tests restart or kill this broker with broker.sh; they need its run dir.
    env.KAFKA_RUN_DIR = brokerRunDir
    say(`Kafka: ${address} (infra/kafka/broker.sh, run dir ${brokerRunDir})`)
    return
  }
  if (ci) {
    throw new SetupError(
      'CI=true but KAFKA_BROKERS is unset and java or mvn is missing to start a broker',
    )
  }
  say('WARNING: no KAFKA_BROKERS and no java/mvn to start a broker: the Kafka suites will skip')
}

let brokerStopped: Promise<void> | undefined

/** Deletes the broker this script started (stop, then its run dir); once, however often called. */
function stopKafka(): Promise<void> {
  brokerStopped ??= (async () => {
    if (brokerRunDir === undefined) return
    await run('bash', [brokerScript, 'clean'], { ...env, KAFKA_RUN_DIR: brokerRunDir }).catch(
      (error: Error) => say(`stopping Kafka failed: ${error.message}`),
    )
  })()
  return brokerStopped
}

// --- Postgres ----------------------------------------------------------------------------------

/** Undefined when a server answers at `url`, else why not. */
async function postgresProblem(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
    return undefined
  } catch (error) {
    return (error as Error).message
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function providePostgres(): Promise<void> {
  const url = env.DATABASE_URL ?? defaultDatabaseUrl
  const problem = await postgresProblem(url)
  const shown = url.replace(/\/\/[^@/]*@/, '//…@')
  if (problem === undefined) {
    env.DATABASE_URL = url
    say(`Postgres: ${shown}`)
    return
  }
  if (ci) throw new SetupError(`CI=true but Postgres at ${shown} does not answer: ${problem}`)
  say(`WARNING: Postgres at ${shown} does not answer (${problem}): its suites will fail or skip`)
}

// --- tap ---------------------------------------------------------------------------------------

let tap: ChildProcess | undefined
let interruptedBy: NodeJS.Signals | undefined

/** tap's closing summary `# { total: 12, pass: 11, fail: 1 }`; `fail` is absent when 0. */
function summaryOf(output: string): { passed: number; failed: number } | undefined {
  const line = output.match(/^# \{ total: .*\}$/gm)?.at(-1)
  if (line === undefined) return undefined
  const count = (name: string) => Number(new RegExp(`\\b${name}: (\\d+)`).exec(line)?.[1] ?? 0)
  return { passed: count('pass'), failed: count('fail') }
}

async function runTap(args: string[]): Promise<{ code: number; output: string }> {
  // The TAP reporter always (tap picks it anyway when stdout is not a terminal, as here): its
  // summary line is what the closing line is made from.
  const reporter = args.some((a) => a === '-R' || a.startsWith('--reporter'))
    ? []
    : ['--reporter=tap']
  const child = spawn('npx', ['tap', ...reporter, ...args], {
    cwd: repo,
    env,
    stdio: ['inherit', 'pipe', 'inherit'],
  })
  tap = child
  // Shown as it comes; only the end is kept, where the summary is.
  let tail = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    process.stdout.write(chunk)
    tail = (tail + chunk).slice(-16_384)
  })
  return new Promise((resolve) => {
    child.on('error', (error) => {
      say(`could not run tap: ${error.message}`)
      resolve({ code: 1, output: tail })
    })
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: tail }))
  })
}

let finishing = false

/** Stops Kafka, prints the closing line and exits; the first call wins. */
async function finish(passed: number, failed: number, code: number): Promise<void> {
  if (finishing) return
  finishing = true
  await stopKafka()
  // The last line of all: Kafka's stop messages went out before it. Exit once it is written.
  process.stdout.write(`${passed} passed, ${failed} failed\n`, () => process.exit(code))
}

const signalCode = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? 130 : 143)

function onSignal(signal: NodeJS.Signals): void {
  interruptedBy ??= signal
  if (tap && tap.exitCode === null && tap.signalCode === null) {
    // main() goes on once tap has gone, and stops Kafka there.
    tap.kill(signal)
    return
  }
  if (tap) return
  say(`interrupted (${signal}) before the tests ran`)
  void finish(0, 1, signalCode(signal))
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  say(`node ${process.version}${ci ? ', CI' : ''}`)
  try {
    await providePostgres()
    await provideKafka()
  } catch (error) {
    if (!(error instanceof SetupError)) throw error
    say(`FAILED: ${error.message}`)
    return finish(0, 1, 1)
  }
  if (interruptedBy) return

  const result = await runTap(process.argv.slice(2))
  const code = interruptedBy ? signalCode(interruptedBy) : result.code
  const summary = summaryOf(result.output)
  if (summary === undefined) {
    say(`no summary line from tap (exit ${result.code})`)
    return finish(0, 1, code === 0 ? 1 : code)
  }
  // A failing exit with no failed test counted (a timeout, an interrupt) still reads as a failure.
  return finish(summary.passed, code !== 0 && summary.failed === 0 ? 1 : summary.failed, code)
}

main().catch((error: unknown) => {
  say(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  return finish(0, 1, 1)
})
