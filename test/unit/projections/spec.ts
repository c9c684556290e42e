import type { DomainCommand } from '../../../src/domain/deciders.js'
import { canonicalJson, type JsonObject } from '../../../src/domain/json.js'
import type { Projection, ReadModelRow } from '../../../src/projections/projection.js'
import { replay, rowsOf } from '../../../src/projections/replay.js'
import { createRecorder, type Recorder } from './scenario.js'

/** A command to record, or something to do with the recorder (a correction needs ids). */
export type Step = DomainCommand | ((r: Recorder) => unknown)

function run(r: Recorder, steps: readonly Step[]): void {
  for (const step of steps) {
    if (typeof step === 'function') step(r)
    else r.record(step)
  }
}

/**
 * Given/when/then for read models: the documents after the `given` commands, then those after
 * the `when` commands applied to them incrementally (as the runner does), which must equal a
 * replay from zero.
 *
 *   given(itinerary, visit.schedule('v1')).when(visit.cancel('v1')).doc<VisitDoc>('visit:v1')
 */
export function given(projection: Projection, ...steps: Step[]) {
  const recorder = createRecorder()
  run(recorder, steps)
  const before = replay(projection, recorder.events)
  return {
    recorder,
    before,
    /** Records more; call it once per `given` (each call starts from `before`). */
    when(...more: Step[]) {
      const from = recorder.events.length
      run(recorder, more)
      const events = recorder.events.slice(from)
      const after = replay(projection, events, before)
      const fromZero = replay(projection, recorder.events)
      if (canonicalJson([...after]) !== canonicalJson([...fromZero]))
        throw new Error('incremental replay differs from a replay from zero')
      return {
        events,
        after,
        /** The document under `kind:id`, typed as the test expects. */
        doc: <T = JsonObject>(key: string) => after.get(key) as unknown as T | undefined,
        /** The document before the `when` commands. */
        was: <T = JsonObject>(key: string) => before.get(key) as unknown as T | undefined,
        rows: (): ReadModelRow[] => rowsOf(projection, after),
      }
    },
  }
}
