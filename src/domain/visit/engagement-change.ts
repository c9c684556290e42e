import { sameJson } from '../json.js'
import type { Engagement } from './types.js'

/**
 * The engagement after a change that took it from `was` to `now`: only the fields the change
 * altered are applied to `current`, so that a correction of an earlier fact about the
 * engagement survives a later change of its other fields.
 */
export function applyEngagementChange(
  current: Engagement,
  was: Engagement,
  now: Engagement,
): Engagement {
  const result: Record<string, unknown> = { ...current }
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    const k = key as keyof Engagement
    if (sameJson(was[k], now[k])) continue
    if (now[k] === undefined) delete result[k]
    else result[k] = now[k]
  }
  return result as unknown as Engagement
}
