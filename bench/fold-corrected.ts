import type { CorrectionCommand } from '../src/domain/correction/index.js'
import { correctionDecider } from '../src/domain/correction/index.js'
import { type Event, fold } from '../src/domain/decider.js'
import type { JsonObject } from '../src/domain/json.js'
import { type VisitCommand, visitDecider } from '../src/domain/visit/index.js'
import { harris, meta, nov11, november, paris } from '../test/unit/domain/fixtures.js'

// `npx tsx bench/fold-corrected.ts [commands] [correct every]`: how long loading a visit takes
// when its stream holds corrections, each of which folds the visit's facts again. Baseline, in
// the same run: the same facts with every correction already applied, folded once (the least
// work that gives the same state).

const commands = Number(process.argv[2] ?? 1000)
const every = Number(process.argv[3] ?? 40)
const m = meta()
type Stored = Event & { eventId: string }
const stream: Stored[] = []
const append = (events: Event[]) => {
  for (const e of events) stream.push({ ...e, eventId: `e${stream.length + 1}` })
}
const run = (command: VisitCommand) => {
  try {
    append(visitDecider.decide(command, fold(visitDecider, stream as never[])))
  } catch {} // refused commands append nothing
}

run({
  type: 'ScheduleVisit',
  data: { visitId: 'v', visitor: harris, destination: paris, period: november },
  metadata: m,
})
for (let i = 0; i < commands; i++) {
  const engagementId = `g${i % 20}`
  const engagement = {
    engagementId,
    kind: 'talks' as const,
    title: 'Talks',
    period: nov11,
    counterparts: [],
    status: 'tentative' as const,
  }
  const data = { visitId: 'v', engagementId }
  run(
    [
      { type: 'AddEngagement', data: { visitId: 'v', engagement }, metadata: m },
      {
        type: 'ChangeEngagement',
        data: { ...data, changes: { title: `Talks ${i}` } },
        metadata: m,
      },
      { type: 'RemoveEngagement', data: { ...data, reason: 'dropped' }, metadata: m },
    ][i % 3] as VisitCommand,
  )
  if (i % every !== every - 1) continue
  // Retract a fact from the middle of the stream so far.
  const target = stream.filter((e) => !e.type.startsWith('Fact'))[Math.floor(stream.length / 2)]!
  const command: CorrectionCommand = {
    type: 'RetractFact',
    data: {
      target: {
        streamId: 'visit-v',
        eventId: target.eventId,
        eventType: target.type,
        data: target.data as JsonObject,
      },
      reason: 'misreported',
    },
    metadata: m,
  }
  try {
    append(correctionDecider.decide(command, fold(correctionDecider, stream)))
  } catch {}
}

const stored: Stored[] = JSON.parse(JSON.stringify(stream))
const state = fold(visitDecider, stored as never[])
const corrected = state.facts.filter((f) => !f.retracted) as never[]
const corrections = stored.length - corrected.length - state.facts.filter((f) => f.retracted).length

function median(f: () => void, reps = 15): number {
  const times: number[] = []
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now()
    f()
    times.push(performance.now() - t0)
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)]!
}
median(() => fold(visitDecider, stored as never[]), 3) // warm up
const rounds = [1, 2, 3].map(() => {
  const baseline = median(() => fold(visitDecider, corrected))
  const loaded = median(() => fold(visitDecider, stored as never[]))
  return { baseline, loaded }
})
console.log(
  `visit stream of ${stored.length} events, ${corrections} of them corrections (${process.version})`,
)
console.log('| round | corrected facts folded once (ms) | stream folded (ms) | ratio |')
console.log('|---|---:|---:|---:|')
for (const [i, r] of rounds.entries())
  console.log(
    `| ${i + 1} | ${r.baseline.toFixed(2)} | ${r.loaded.toFixed(2)} | ${(r.loaded / r.baseline).toFixed(1)} |`,
  )
