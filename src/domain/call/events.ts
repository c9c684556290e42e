import type { CorrectionEvent } from '../correction/events.js'
import type { Event } from '../decider.js'
import type { Interaction } from '../relationship/interaction-coding.js'
import type { Source } from '../values/source.js'
import type { CallRecord } from './types.js'

/**
 * Schema v2. v1 (before people had ids) held `participants: { name, country }[]` and an
 * `initiator` name; see `src/domain/upcasters.ts`.
 */
export type CallRecorded = Event<
  'CallRecorded',
  CallRecord & { interactions: Interaction[]; sources: Source[] }
>

export type CallFact = CallRecorded
export type CallEvent = CallFact | CorrectionEvent
