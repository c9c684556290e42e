import { unreachable } from '../decider.js'
import { isObject, type JsonObject, mergePatch, sameJson } from '../json.js'
import { ruleBroken, Violations } from '../rules.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import { checkMetadata, occurredAt, type Source } from '../values/source.js'
import { checkId, checkText, LONG_TEXT } from '../values/text.js'
import type { CorrectionCommand } from './commands.js'
import { CORRECTABLE, type Correctable } from './correctable.js'
import type { CorrectionEvent } from './events.js'
import type { CorrectionState } from './state.js'

function checkTarget(v: Violations, command: CorrectionCommand): Correctable | undefined {
  const t = command.data.target
  if (!v.check(isObject(t), '/target', 'required', 'is required')) return undefined
  checkText(v, t.streamId, '/target/streamId')
  checkId(v, t.eventId, '/target/eventId')
  v.check(isObject(t.data), '/target/data', 'required', 'is required')
  const correctable = CORRECTABLE[t.eventType]
  v.check(
    correctable !== undefined,
    '/target/eventType',
    'correction-target-not-correctable',
    `${t.eventType} is not a fact that can be corrected`,
  )
  return correctable
}

/** Applies the patch and checks the result; every problem is reported under `/changes`. */
function correct(
  v: Violations,
  rules: Correctable,
  original: JsonObject,
  changes: unknown,
): JsonObject {
  if (
    !v.check(
      isObject(changes) && Object.keys(changes).length > 0,
      '/changes',
      'changes-required',
      'give the fields to change',
    )
  )
    return original
  for (const key of Object.keys(changes as object).filter((k) => !rules.fields.includes(k)))
    v.add(
      `/changes/${key}`,
      'correction-field-not-correctable',
      `only ${rules.fields.join(', ')} can be corrected`,
    )
  const corrected = mergePatch(original, changes) as JsonObject
  const inner = new Violations()
  rules.check(inner, corrected)
  for (const x of inner.list) v.add(`/changes${x.field}`, x.rule as never, x.message)
  if (inner.list.length > 0) return original
  v.check(
    sameJson(rules.identity(original), rules.identity(corrected)),
    '/changes',
    'correction-changes-identity',
    'a correction cannot change what the fact is about; retract it and record the right one',
  )
  v.check(
    !sameJson(original, corrected),
    '/changes',
    'changes-required',
    'the changes change nothing',
  )
  if (!rules.time || !Array.isArray(corrected.interactions)) return corrected
  // Interactions keep their coding; only when they happened follows the corrected time.
  const when = occurredAt(
    rules.time(corrected) as ImpreciseTime | undefined,
    corrected.sources as unknown as Source[],
  )
  return {
    ...corrected,
    interactions: corrected.interactions.map((i) => ({ ...(i as JsonObject), occurredAt: when })),
  }
}

/**
 * Decides a correction or retraction of an event in the target stream, whose corrections so
 * far `state` folds. Appended to the target's own stream.
 */
export function decideCorrection(
  command: CorrectionCommand,
  state: CorrectionState,
): CorrectionEvent[] {
  const v = new Violations()
  checkMetadata(v, command.metadata)
  checkText(v, command.data.reason, '/reason', LONG_TEXT)
  const rules = checkTarget(v, command)
  v.throwIfAny(command.type)
  const { streamId, eventId, eventType, data } = command.data.target
  if (state.status === 'revised' && state.retracted.includes(eventId))
    throw ruleBroken('fact-already-retracted', '/target/eventId', `event ${eventId} is retracted`)
  const original = (state.status === 'revised' ? state.latest[eventId] : undefined) ?? data
  const target = { streamId, eventId, eventType }
  const { reason } = command.data
  const { sources } = command.metadata

  switch (command.type) {
    case 'RetractFact':
      return [{ type: 'FactRetracted', data: { target, retracted: original, reason, sources } }]
    case 'CorrectFact': {
      const corrected = correct(v, rules!, original, command.data.changes)
      v.throwIfAny(command.type)
      const { changes } = command.data
      return [
        { type: 'FactCorrected', data: { target, changes, original, corrected, reason, sources } },
      ]
    }
    default:
      return unreachable(command)
  }
}
