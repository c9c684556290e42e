import { randomUUID } from 'node:crypto'
import { bodyOf } from '../../src/api/schemas/examples.js'
import { seedScenario } from '../../src/app/seed-scenario.js'
import type { Routed } from '../../src/domain/deciders.js'

/** A command of the seed scenario as an HTTP request. */
export interface SeedRequest {
  type: string
  url: string
  body: Record<string, unknown>
  routed: Routed
}

function urlOf({ command }: Routed): string {
  const d = command.data as Record<string, unknown>
  switch (command.type) {
    case 'RecordCall':
      return '/v1/calls'
    case 'PublishStatement':
      return '/v1/statements'
    case 'ScheduleVisit':
      return '/v1/visits'
    case 'AddEngagement':
      return `/v1/visits/${d.visitId}/engagements`
    case 'AddDelegationMember':
      return `/v1/visits/${d.visitId}/delegation`
    case 'AnnounceMeeting':
      return '/v1/meetings'
    case 'RecordFriction':
    case 'AssessRelationship': {
      const [a, b] = d.dyad as string[]
      const path = command.type === 'RecordFriction' ? 'frictions' : 'assessments'
      return `/v1/relationships/${a}/${b}/${path}`
    }
    default:
      throw new Error(`no route in the seed for ${command.type}`)
  }
}

/** The seed article (the reference case) as the HTTP requests that record it, in order. */
export function seedRequests(newId: () => string = randomUUID): SeedRequest[] {
  return seedScenario({ newId, actor: 'unused: the API key is the actor' }).map((routed) => ({
    type: routed.command.type,
    url: urlOf(routed),
    body: bodyOf(routed.command),
    routed,
  }))
}

/** The ids the seed requests use. */
export function seedIds(requests: readonly SeedRequest[]) {
  const byType = (type: string) => requests.find((r) => r.type === type)!.routed.id
  return {
    call: byType('RecordCall'),
    statement: byType('PublishStatement'),
    visit: byType('ScheduleVisit'),
    meeting: byType('AnnounceMeeting'),
  }
}
