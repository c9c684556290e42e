import { asRevision } from '../correction/events.js'
import type { CallEvent, CallRecorded } from './events.js'
import type { CallRecord, CallState } from './types.js'

function recordOf(data: CallRecorded['data']): CallRecord {
  const { interactions: _i, sources: _s, ...call } = data
  return call
}

/** Folds one event into the call's state. */
export function evolveCall(state: CallState, event: CallEvent): CallState {
  switch (event.type) {
    case 'CallRecorded':
      return { status: 'recorded', call: recordOf(event.data) }
    case 'FactCorrected':
    case 'FactRetracted': {
      const { eventType, after } = asRevision(event)
      if (eventType !== 'CallRecorded' || state.status !== 'recorded') return state
      return after === null
        ? { status: 'retracted', call: state.call }
        : { status: 'recorded', call: recordOf(after as CallRecorded['data']) }
    }
    default:
      return state
  }
}
