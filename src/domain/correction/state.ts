import type { Event } from '../decider.js'
import type { JsonObject } from '../json.js'
import type { CorrectionEvent } from './events.js'

/** What a stream's corrections so far say: which facts are retracted, what others now read. */
export type CorrectionState =
  | { status: 'none' }
  | { status: 'revised'; retracted: string[]; latest: Record<string, JsonObject> }

export function initialCorrectionState(): CorrectionState {
  return { status: 'none' }
}

/** Folds one event of the target stream; only corrections matter here. */
export function evolveCorrection(state: CorrectionState, event: Event): CorrectionState {
  if (event.type !== 'FactCorrected' && event.type !== 'FactRetracted') return state
  const e = event as CorrectionEvent
  const s =
    state.status === 'revised' ? state : { status: 'revised' as const, retracted: [], latest: {} }
  const { eventId } = e.data.target
  return e.type === 'FactRetracted'
    ? { ...s, retracted: [...s.retracted, eventId] }
    : { ...s, latest: { ...s.latest, [eventId]: e.data.corrected } }
}
