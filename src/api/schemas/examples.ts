import { deterministicIds } from '../../app/demo.js'
import { seedScenario } from '../../app/seed-scenario.js'
import type { DomainCommand } from '../../domain/deciders.js'

/** Ids that the path carries for each command, and so are not in its body. */
const PATH_FIELDS: Record<string, readonly string[]> = {
  AddEngagement: ['visitId'],
  AddDelegationMember: ['visitId'],
  RecordFriction: ['dyad'],
  AssessRelationship: ['dyad'],
}

/** An imprecise time written back as a client sends it: EDTF text, phrase, relative date. */
function asInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asInput)
  if (typeof value !== 'object' || value === null) return value
  const o = value as Record<string, unknown>
  if (typeof o.edtf === 'string' && 'earliest' in o) {
    const { edtf, phrase, relativeTo } = o
    return { edtf, ...(phrase ? { phrase } : {}), ...(relativeTo ? { relativeTo } : {}) }
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, asInput(v)]))
}

/** The request body that records a command of the seed scenario over HTTP. */
export function bodyOf(command: DomainCommand): Record<string, unknown> {
  const skip = PATH_FIELDS[command.type] ?? []
  const data = Object.fromEntries(
    Object.entries(command.data as Record<string, unknown>).filter(([k]) => !skip.includes(k)),
  )
  return { ...(asInput(data) as object), sources: command.metadata.sources }
}

let examples: Map<string, Record<string, unknown>> | undefined

/**
 * The OpenAPI example of a command's body: the first command of that type in the seed scenario
 * (the reference article), or none when the scenario has no such command.
 */
export function commandExample(type: string): Record<string, unknown>[] | undefined {
  examples ??= new Map(
    seedScenario({ newId: deterministicIds('entente-openapi-examples'), actor: 'example' })
      .reverse()
      .map(({ command }) => [command.type, bodyOf(command)]),
  )
  const example = examples.get(type)
  return example ? [example] : undefined
}
