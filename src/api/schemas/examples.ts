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

type Body = Record<string, unknown>

/**
 * What the story of the seed article could record next, for the commands the article itself
 * does not give: on its people, places and sources (the AP story, the White House readout).
 */
function followUps(seed: Map<string, Body>): Record<string, Body> {
  const [whiteHouse, ap] = seed.get('ScheduleVisit')!.sources as unknown[]
  const sources = [ap]
  return {
    RescheduleVisit: {
      period: { edtf: '2021-11-09/2021-11-13', phrase: 'from 9 to 13 November' },
      reason: 'The White House announced the dates of the visit',
      sources: [whiteHouse],
    },
    ChangeEngagement: {
      changes: { period: { edtf: '2021-11-11T11:00:00+01:00' }, status: 'confirmed' },
      sources,
    },
    RemoveEngagement: { reason: 'Dropped from the published programme', sources },
    RemoveDelegationMember: { reason: 'Douglas Emhoff will not travel after all', sources },
    CancelVisit: { reason: 'The visit was called off', sources },
    CompleteVisit: { sources },
    ConfirmMeeting: { date: { edtf: '2021-10-29', phrase: 'on Friday' }, sources },
    RescheduleMeeting: {
      window: { edtf: '2021-11', phrase: 'next month' },
      reason: 'The G20 summit was postponed',
      sources,
    },
    RecordMeetingHeld: { date: { edtf: '2021-10-29' }, sources },
    CancelMeeting: { reason: 'The leaders will not meet in Rome', sources },
    RecordMeetingOutcome: {
      summary: 'The two leaders took stock of US-France cooperation',
      topics: ['A stronger and more capable European defence, complementary to NATO'],
      sources,
    },
    ResolveFriction: { resolution: 'Relations restored after the Rome meeting', sources },
    RecordCooperation: {
      area: 'security',
      topic: 'Stability and security in the Sahel',
      sources: [whiteHouse],
    },
    CorrectFact: {
      changes: { purpose: 'Talks with President Macron and the Paris Peace Forum' },
      reason: 'The AP story was updated',
      sources,
    },
    RetractFact: { reason: 'Recorded twice by mistake', sources },
  }
}

let examples: Map<string, Body> | undefined

/**
 * The OpenAPI example of a command's body: the first command of that type in the seed scenario
 * (the reference article), else a follow-up of its story on its people and sources.
 */
export function commandExample(type: string): Body[] | undefined {
  if (!examples) {
    const seed = new Map(
      seedScenario({ newId: deterministicIds('entente-openapi-examples'), actor: 'example' })
        .reverse()
        .map(({ command }) => [command.type, bodyOf(command)]),
    )
    examples = new Map([...Object.entries(followUps(seed)), ...seed])
  }
  const example = examples.get(type)
  return example ? [example] : undefined
}
