import { unreachable } from '../decider.js'
import { compact } from '../json.js'
import { checkCommand, ruleBroken } from '../rules.js'
import { type Dyad, dyadOf } from '../values/country.js'
import { occurredAt } from '../values/source.js'
import type { RelationshipCommand } from './commands.js'
import type { RelationshipFact } from './events.js'
import { codeInteraction } from './interaction-coding.js'
import type { Friction, RelationshipState } from './types.js'
import { checkRelationshipCommand } from './validate.js'

function frictionOf(state: RelationshipState, frictionId: string): Friction {
  const friction =
    state.status === 'tracked'
      ? state.frictions.find((f) => f.frictionId === frictionId)
      : undefined
  if (!friction) throw ruleBroken('unknown-friction', '/frictionId', `no friction ${frictionId}`)
  return friction
}

/** Decides a relationship command; the first fact about a pair starts tracking it. */
export function decideRelationship(
  command: RelationshipCommand,
  state: RelationshipState,
): RelationshipFact[] {
  checkCommand(command, checkRelationshipCommand)
  const { sources } = command.metadata
  const dyad: Dyad = dyadOf(...command.data.dyad)
  if (state.status === 'tracked' && state.dyad.join('-') !== dyad.join('-'))
    throw ruleBroken('dyad-mismatch', '/dyad', `this stream is about ${state.dyad.join('-')}`)

  switch (command.type) {
    case 'RecordFriction': {
      const { dyad: _, severity, ...d } = command.data
      if (state.status === 'tracked' && state.frictions.some((f) => f.frictionId === d.frictionId))
        throw ruleBroken('friction-id-taken', '/frictionId', `friction ${d.frictionId} exists`)
      const interaction = codeInteraction(
        `friction-${severity}`,
        dyad,
        occurredAt(d.since, sources),
      )
      const data = compact({
        ...d,
        dyad,
        severity,
        thirdParties: d.thirdParties ?? [],
        topics: d.topics ?? [],
        interactions: [interaction],
        sources,
      })
      return [{ type: 'FrictionRecorded', data }]
    }
    case 'ResolveFriction': {
      const { frictionId, resolution, date } = command.data
      if (frictionOf(state, frictionId).status === 'resolved')
        throw ruleBroken(
          'friction-already-resolved',
          '/frictionId',
          `friction ${frictionId} is resolved`,
        )
      return [
        {
          type: 'FrictionResolved',
          data: compact({ dyad, frictionId, resolution, date, sources }),
        },
      ]
    }
    case 'RecordCooperation': {
      const { dyad: _, ...d } = command.data
      const interaction = codeInteraction(
        `cooperation-${d.area}`,
        dyad,
        occurredAt(d.date, sources),
      )
      return [
        {
          type: 'CooperationRecorded',
          data: compact({ ...d, dyad, interactions: [interaction], sources }),
        },
      ]
    }
    case 'AssessRelationship': {
      const { dyad: _, ...d } = command.data
      return [{ type: 'RelationshipAssessed', data: compact({ ...d, dyad, sources }) }]
    }
    default:
      return unreachable(command)
  }
}
