import type { Command } from '../decider.js'
import type { JsonObject } from '../json.js'
import type { FactTarget } from './events.js'

/** The event a correction is about, with the data it was stored with (upcast). */
export interface TargetEvent extends FactTarget {
  data: JsonObject
}

/**
 * Our record of the target event was wrong. `changes` is an RFC 7386 JSON Merge Patch of the
 * event's data: members replace, objects merge, `null` removes, lists replace wholesale. Only
 * the fields `CORRECTABLE` lists for the event type may change.
 */
export type CorrectFact = Command<
  'CorrectFact',
  { target: TargetEvent; changes: JsonObject; reason: string }
>

/** The target event should never have been recorded. For "it did not happen", cancel instead. */
export type RetractFact = Command<'RetractFact', { target: TargetEvent; reason: string }>

export type CorrectionCommand = CorrectFact | RetractFact
