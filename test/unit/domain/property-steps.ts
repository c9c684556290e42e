import fc from 'fast-check'
import type { CorrectionCommand } from '../../../src/domain/correction/index.js'
import { correctionDecider } from '../../../src/domain/correction/index.js'
import type { Command, Decider, Event } from '../../../src/domain/decider.js'
import { EntenteError } from '../../../src/domain/errors.js'
import { canonicalJson, type JsonObject } from '../../../src/domain/json.js'
import type { ImpreciseTime } from '../../../src/domain/values/imprecise-time.js'
import type { Person } from '../../../src/domain/values/person.js'
import { biden, blinken, draghi, emhoff, harris, macron, meta, time } from './fixtures.js'

export const people: Person[] = [harris, macron, biden, emhoff, blinken, draghi]
export const times = [
  '2021-11',
  '2021-11-11',
  '2021-11-12',
  '2021-11-09/2021-11-13',
  '2021-12',
  '[2021-10-23..2021-10-31]',
  '2021-10-30',
  '2021-11-10T15:00:00+01:00',
].map((e) => time(e))
export const ats = ['2021-10-23T09:00:00Z', '2021-11-20T09:00:00Z', '2022-01-01T00:00:00Z']

export const person = fc.constantFrom(...people)
export const period = fc.constantFrom(...times)
export const at = fc.constantFrom(...ats)
/** Ids from a small pool, so that commands collide with what earlier ones created. */
export const id = (prefix: string) => fc.constantFrom(`${prefix}1`, `${prefix}2`, `${prefix}3`)

export type Stored = Event & { eventId: string }
/** Builds the next command from the stream so far: corrections need the events' ids. */
export type Step = (stream: Stored[]) => { correction: boolean; command: Command }

/** A step that issues `command` to the aggregate. */
export const step =
  (type: string, data: object, when = ats[0]!): Step =>
  () => ({ correction: false, command: { type, data, metadata: meta({ at: when }) } })

/** A plausible correction of an event of `type`: a new time where it has one, else new words. */
function patchFor(type: string, p: ImpreciseTime): object {
  const patches: Record<string, object> = {
    VisitScheduled: { period: p },
    VisitRescheduled: { period: p },
    ItineraryEngagementAdded: { engagement: { period: p } },
    ItineraryEngagementChanged: { engagement: { title: 'Corrected' } },
    DelegationMemberAdded: { member: { role: 'adviser' } },
    MeetingAnnounced: { window: p },
    MeetingConfirmed: { date: p },
    MeetingRescheduled: { window: p },
    MeetingHeld: { date: p },
    MeetingOutcomeRecorded: { outcome: { summary: 'Corrected' } },
    FrictionRecorded: { since: p },
    FrictionResolved: { date: p },
    CooperationRecorded: { date: p },
    RelationshipAssessed: { rationale: 'Corrected' },
  }
  return patches[type] ?? { reason: 'Corrected' }
}

/** Retracts or corrects an earlier event of the stream, picked by index. */
export const correctionSteps = fc.oneof(
  fc.record({ index: fc.nat(), retract: fc.boolean(), p: period }).map(
    ({ index, retract, p }): Step =>
      (stream) => {
        const event = stream[index % Math.max(stream.length, 1)]
        const target = {
          streamId: 's',
          eventId: event?.eventId ?? 'e0',
          eventType: event?.type ?? 'None',
          data: (event?.data ?? {}) as JsonObject,
        }
        const command: CorrectionCommand = retract
          ? { type: 'RetractFact', data: { target, reason: 'misreported' }, metadata: meta() }
          : {
              type: 'CorrectFact',
              data: {
                target,
                changes: patchFor(target.eventType, p) as JsonObject,
                reason: 'misreported',
              },
              metadata: meta(),
            }
        return { correction: true, command }
      },
  ),
)

/** Sequences that begin by creating the aggregate, so that later commands can apply. */
export const startingWith = (first: fc.Arbitrary<Step>, rest: fc.Arbitrary<Step>, maxLength = 20) =>
  fc.tuple(first, fc.array(rest, { minLength: 3, maxLength })).map(([a, b]) => [a, ...b])

/** Mixes in corrections at one in four. */
export const withCorrections = (steps: fc.Arbitrary<Step>) =>
  fc.oneof({ arbitrary: steps, weight: 3 }, { arbitrary: correctionSteps, weight: 1 })

/**
 * Runs the steps; refused commands (an EntenteError) append nothing, anything else fails the
 * property. Returns the state folded event by event as decided, and the stream as stored.
 */
export function run<S>(decider: Decider<Command, Event, S>, steps: Step[]) {
  let state = decider.initialState()
  const stream: Stored[] = []
  for (const next of steps) {
    const { correction, command } = next(stream)
    let produced: Event[]
    try {
      produced = correction
        ? correctionDecider.decide(
            command as CorrectionCommand,
            stream.reduce(correctionDecider.evolve, correctionDecider.initialState()),
          )
        : decider.decide(command, state)
    } catch (error) {
      if (error instanceof EntenteError) continue
      throw error
    }
    for (const event of produced) {
      const stored = { ...event, eventId: `e${stream.length + 1}` }
      state = decider.evolve(state, stored)
      stream.push(stored)
    }
  }
  return { state, stream }
}

/** Replaying the stream as the store gives it back (JSON) reproduces the live state. */
export function replays<S>(decider: Decider<Command, Event, S>, steps: Step[]): boolean {
  const { state, stream } = run(decider, steps)
  const stored: Event[] = JSON.parse(JSON.stringify(stream))
  return (
    canonicalJson(stored.reduce(decider.evolve, decider.initialState())) === canonicalJson(state)
  )
}
