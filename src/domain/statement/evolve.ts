import { asRevision } from '../correction/events.js'
import type { StatementEvent, StatementPublished } from './events.js'
import type { StatementRecord, StatementState } from './types.js'

function recordOf(data: StatementPublished['data']): StatementRecord {
  const { sources: _s, ...statement } = data
  return statement
}

/** Folds one event into the statement's state. */
export function evolveStatement(state: StatementState, event: StatementEvent): StatementState {
  switch (event.type) {
    case 'StatementPublished':
      return { status: 'published', statement: recordOf(event.data) }
    case 'FactCorrected':
    case 'FactRetracted': {
      const { eventType, after } = asRevision(event)
      if (eventType !== 'StatementPublished' || state.status !== 'published') return state
      return after === null
        ? { status: 'retracted', statement: state.statement }
        : { status: 'published', statement: recordOf(after as StatementPublished['data']) }
    }
    default:
      return state
  }
}
