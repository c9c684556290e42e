import type { Violations } from '../rules.js'
import { checkCountry } from '../values/country.js'
import { checkImpreciseTime } from '../values/imprecise-time.js'
import {
  checkEach,
  checkId,
  checkOneOf,
  checkOptionalText,
  checkText,
  checkTexts,
  LONG_TEXT,
  optional,
} from '../values/text.js'
import type { RelationshipCommand } from './commands.js'
import { COOPERATION_AREAS, FRICTION_SEVERITIES, RELATIONSHIP_LABELS } from './types.js'

/** Checks a pair of countries: two valid codes that differ. */
export function checkDyad(v: Violations, value: unknown, field: string): boolean {
  if (
    !v.check(
      Array.isArray(value) && value.length === 2,
      field,
      'required',
      'must be two country codes',
    )
  )
    return false
  const [a, b] = value as unknown[]
  const ok = [checkCountry(v, a, `${field}/0`), checkCountry(v, b, `${field}/1`)].every(Boolean)
  return (
    ok &&
    v.check(
      a !== b,
      field,
      'dyad-same-country',
      'a relationship is between two different countries',
    )
  )
}

const checkTime = optional(checkImpreciseTime)

/** Checks a relationship command's data: the rules that need no state. */
export function checkRelationshipCommand(v: Violations, command: RelationshipCommand): void {
  const dyadOk = checkDyad(v, command.data.dyad, '/dyad')
  switch (command.type) {
    case 'RecordFriction': {
      const d = command.data
      checkId(v, d.frictionId, '/frictionId')
      checkText(v, d.title, '/title')
      checkText(v, d.description, '/description', LONG_TEXT)
      checkOneOf(v, d.severity, FRICTION_SEVERITIES, '/severity')
      checkTime(v, d.since, '/since')
      checkTexts(v, d.topics, '/topics')
      checkEach(v, d.thirdParties, '/thirdParties', (c, f) => {
        if (checkCountry(v, c, f) && dyadOk)
          v.check(!d.dyad.includes(c as string), f, 'dyad-same-country', `${c} is one of the pair`)
      })
      return
    }
    case 'ResolveFriction':
      checkId(v, command.data.frictionId, '/frictionId')
      checkText(v, command.data.resolution, '/resolution', LONG_TEXT)
      checkTime(v, command.data.date, '/date')
      return
    case 'RecordCooperation':
      checkOneOf(v, command.data.area, COOPERATION_AREAS, '/area')
      checkText(v, command.data.topic, '/topic')
      checkOptionalText(v, command.data.description, '/description', LONG_TEXT)
      checkTime(v, command.data.date, '/date')
      return
    case 'AssessRelationship':
      checkOneOf(v, command.data.label, RELATIONSHIP_LABELS, '/label')
      checkText(v, command.data.rationale, '/rationale', LONG_TEXT)
      checkTime(v, command.data.asOf, '/asOf')
      return
  }
}
