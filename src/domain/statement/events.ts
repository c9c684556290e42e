import type { CorrectionEvent } from '../correction/events.js'
import type { Event } from '../decider.js'
import type { Source } from '../values/source.js'
import type { StatementRecord } from './types.js'

export type StatementPublished = Event<
  'StatementPublished',
  StatementRecord & { sources: Source[] }
>

export type StatementFact = StatementPublished
export type StatementEvent = StatementFact | CorrectionEvent
