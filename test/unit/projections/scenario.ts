import { seedScenario } from '../../../src/app/seed-scenario.js'
import type { CorrectionCommand } from '../../../src/domain/correction/index.js'
import type { CommandMetadata, Event } from '../../../src/domain/decider.js'
import { type DomainCommand, deciderFor, type Routed, route } from '../../../src/domain/deciders.js'
import type { JsonObject } from '../../../src/domain/json.js'
import type { Source } from '../../../src/domain/values/source.js'
import type { ProjectedEvent } from '../../../src/projections/projection.js'

export const SEED_START = '2021-10-23T12:00:00.000Z'

/**
 * Records commands as the application would, in memory: each goes to its decider with the
 * state folded from its stream, and the events decided get a unique id, the next global
 * position and a recorded time one second after the last. Refused commands throw (an
 * EntenteError) and record nothing.
 */
export function createRecorder(start = SEED_START, actor = 'analyst-1') {
  const events: ProjectedEvent[] = []
  const streams = new Map<string, ProjectedEvent[]>()
  let clock = Date.parse(start)

  function record(command: DomainCommand): ProjectedEvent[] {
    const routed: Routed = route(command)
    const decider = deciderFor(routed.aggregate)
    const streamId = decider.streamId(routed.id)
    const stream = streams.get(streamId) ?? []
    const state = stream.reduce(
      (s, e) => decider.evolve(s, { eventId: e.eventId, type: e.type, data: e.data }),
      decider.initialState(),
    )
    const produced: Event[] = decider.decide(routed.command, state)
    const recorded = produced.map((e, i): ProjectedEvent => {
      const position = events.length + i + 1
      clock += 1000
      return {
        eventId: `evt-${position}`,
        streamId,
        streamVersion: stream.length + i + 1,
        globalPosition: position,
        recordedAt: new Date(clock).toISOString(),
        type: e.type,
        data: JSON.parse(JSON.stringify(e.data)) as JsonObject,
      }
    })
    events.push(...recorded)
    streams.set(streamId, [...stream, ...recorded])
    return recorded
  }

  const find = (eventId: string) => {
    const event = events.find((e) => e.eventId === eventId)
    if (!event) throw new Error(`no event ${eventId}`)
    return event
  }
  const targetOf = (eventId: string) => {
    const { streamId, type: eventType, data } = find(eventId)
    return { streamId, eventId, eventType, data }
  }
  const meta = (sources: Source[]): CommandMetadata => ({
    actor,
    at: new Date(clock).toISOString(),
    sources,
  })

  return {
    events,
    record,
    /** The last recorded event of `type`. */
    last: (type: string) => events.findLast((e) => e.type === type)!,
    /** Corrects an earlier event with an RFC 7386 merge patch of its data. */
    correct(eventId: string, changes: object, sources: Source[] = [CORRECTION_SOURCE]) {
      const command: CorrectionCommand = {
        type: 'CorrectFact',
        data: { target: targetOf(eventId), changes: changes as JsonObject, reason: 'misreported' },
        metadata: meta(sources),
      }
      return record(command)
    },
    /** Retracts an earlier event: it should never have been recorded. */
    retract(eventId: string, sources: Source[] = [CORRECTION_SOURCE]) {
      const command: CorrectionCommand = {
        type: 'RetractFact',
        data: { target: targetOf(eventId), reason: 'never happened' },
        metadata: meta(sources),
      }
      return record(command)
    },
    /** Metadata for a command issued now, on `sources`. */
    meta,
  }
}

export type Recorder = ReturnType<typeof createRecorder>

export const CORRECTION_SOURCE: Source = {
  publisher: 'Agence France-Presse',
  title: '[Correction]',
  publishedAt: '2021-10-23',
}

/**
 * The seed article recorded in memory, with ids `id-1`… as test/unit/domain does: the events
 * in log order, the ids of what it recorded, and the recorder to go on with.
 */
export function seedEvents() {
  let n = 0
  const scenario = seedScenario({ newId: () => `id-${++n}`, actor: 'seed', at: SEED_START })
  const recorder = createRecorder(SEED_START)
  for (const { command } of scenario) recorder.record(command)
  const idOf = (aggregate: string) => scenario.find((e) => e.aggregate === aggregate)!.id
  const engagementIds = scenario.flatMap(({ command }) =>
    command.type === 'AddEngagement' ? [command.data.engagement.engagementId] : [],
  )
  const [speech, libya, talks] = engagementIds as [string, string, string]
  const friction = scenario.find((e) => e.command.type === 'RecordFriction')!
  const ids = {
    call: idOf('call'),
    statement: idOf('statement'),
    visit: idOf('visit'),
    meeting: idOf('meeting'),
    speech,
    libya,
    talks,
    aukus: (friction.command.data as { frictionId: string }).frictionId,
  }
  return { events: recorder.events, ids, recorder }
}
