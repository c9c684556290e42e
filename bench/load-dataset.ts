import { randomUUID } from 'node:crypto'
import { parseImpreciseTime } from '../src/app/imprecise-time.js'
import type { Command, Event } from '../src/domain/decider.js'
import { type DomainCommand, deciderFor, route } from '../src/domain/deciders.js'
import { schemaVersionOf } from '../src/domain/event-schemas.js'
import type { Person } from '../src/domain/values/person.js'
import type { Place } from '../src/domain/values/place.js'
import type { Source } from '../src/domain/values/source.js'
import { ENGAGEMENT_KINDS } from '../src/domain/visit/types.js'
import type { HistoryEvent } from './projection-history.js'

/**
 * The load benchmark's dataset: a world of 22 countries with their capitals and five office
 * holders each, and a history of stories between pairs of them (visits with engagements and
 * delegations, some completed, cancelled or rescheduled; calls; meetings, some held with an
 * outcome; cooperation, frictions and assessments; statements), decided by the domain's
 * deciders. Pairs are drawn as in the projection benchmark (pair k with weight 1 / (k + 1)),
 * so a few relationships are very busy. The world remembers what the load may touch next:
 * which visits are still open, their engagements, and each stream's version for If-Match.
 */

const COUNTRIES: readonly (readonly [string, string, string, string])[] = [
  ['US', 'the United States', 'Washington', 'America/New_York'],
  ['FR', 'France', 'Paris', 'Europe/Paris'],
  ['DE', 'Germany', 'Berlin', 'Europe/Berlin'],
  ['CN', 'China', 'Beijing', 'Asia/Shanghai'],
  ['JP', 'Japan', 'Tokyo', 'Asia/Tokyo'],
  ['IN', 'India', 'New Delhi', 'Asia/Kolkata'],
  ['BR', 'Brazil', 'Brasília', 'America/Sao_Paulo'],
  ['ZA', 'South Africa', 'Pretoria', 'Africa/Johannesburg'],
  ['NG', 'Nigeria', 'Abuja', 'Africa/Lagos'],
  ['EG', 'Egypt', 'Cairo', 'Africa/Cairo'],
  ['SA', 'Saudi Arabia', 'Riyadh', 'Asia/Riyadh'],
  ['TR', 'Türkiye', 'Ankara', 'Europe/Istanbul'],
  ['RU', 'Russia', 'Moscow', 'Europe/Moscow'],
  ['UA', 'Ukraine', 'Kyiv', 'Europe/Kiev'],
  ['PL', 'Poland', 'Warsaw', 'Europe/Warsaw'],
  ['ES', 'Spain', 'Madrid', 'Europe/Madrid'],
  ['CA', 'Canada', 'Ottawa', 'America/Toronto'],
  ['MX', 'Mexico', 'Mexico City', 'America/Mexico_City'],
  ['KR', 'South Korea', 'Seoul', 'Asia/Seoul'],
  ['ID', 'Indonesia', 'Jakarta', 'Asia/Jakarta'],
  ['KE', 'Kenya', 'Nairobi', 'Africa/Nairobi'],
  ['AR', 'Argentina', 'Buenos Aires', 'America/Argentina/Buenos_Aires'],
]
const OFFICES = [
  'Head of State',
  'Head of Government',
  'Foreign Minister',
  'Defence Minister',
  'Trade Minister',
]
const GIVEN = ['Amara', 'Lukas', 'Mei', 'Rahul', 'Sofia', 'Kenji', 'Ana', 'Omar', 'Ingrid', 'Tunde']
const FAMILY = ['Okafor', 'Novak', 'Tanaka', 'Silva', 'Haddad', 'Kowalski', 'Reyes', 'Mensah']
const TOPICS = [
  'Trade and investment',
  'Energy security',
  'Climate finance',
  'Regional security',
  'Maritime cooperation',
  'Public health',
  'Migration',
  'Critical minerals',
  'Food security',
  'Cyber security',
]
const PUBLISHERS = ['Reuters', 'The Associated Press', 'Agence France-Presse', 'Xinhua', 'Kyodo']

export const PAIRS = COUNTRIES.flatMap(([a], i) =>
  COUNTRIES.slice(i + 1).map(([b]) => [a, b] as const),
)
const HARMONIC = PAIRS.map((_, k) => 1 / (k + 1))
const HARMONIC_TOTAL = HARMONIC.reduce((s, w) => s + w, 0)

/** A small deterministic generator, so that every run loads the same world. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0
    return s / 2 ** 32
  }
}

export const pick = <T>(random: () => number, xs: readonly T[]): T =>
  xs[Math.floor(random() * xs.length)]!

/** A pair drawn with weight 1 / (rank + 1). */
export function pairAt(random: () => number): readonly [string, string] {
  let left = random() * HARMONIC_TOTAL
  for (let k = 0; k < PAIRS.length; k++) {
    left -= HARMONIC[k]!
    if (left < 0) return PAIRS[k]!
  }
  return PAIRS.at(-1)!
}

export interface OpenVisit {
  id: string
  /** `YYYY-MM`: engagements fall in it; the period is that month, or it and the next. */
  month: string
  wide: boolean
  engagements: { id: string; status: 'tentative' | 'confirmed' }[]
  visitor: Person
  host: Person
}

export interface World {
  people: Map<string, Person[]>
  capitals: Map<string, Place>
  names: Map<string, string>
  /** Seeded ids, present in the read models before the load starts: what reads ask for. */
  seeded: {
    visits: string[]
    calls: string[]
    meetings: string[]
    travellers: string[]
    pairs: (readonly [string, string])[]
    streams: string[]
  }
  /** Visits that commands may still change (scheduled), by id. */
  open: Map<string, OpenVisit>
  /** Each stream's version, for If-Match. */
  versions: Map<string, number>
}

export const pad = (n: number) => String(n).padStart(2, '0')
export const time = (edtf: string) => parseImpreciseTime({ edtf }, '/')
export const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1)}`
}
export const source = (random: () => number, about: string, date: string): Source => ({
  publisher: pick(random, PUBLISHERS),
  title: `[Report on ${about}]`,
  publishedAt: date,
})
export const topics = (random: () => number) => [
  ...new Set([pick(random, TOPICS), pick(random, TOPICS)]),
]

function createWorld(): World {
  const people = new Map<string, Person[]>()
  const capitals = new Map<string, Place>()
  const names = new Map<string, string>()
  for (const [i, [code, name, city, timeZone]] of COUNTRIES.entries()) {
    names.set(code, name)
    capitals.set(code, { city, country: code, timeZone })
    people.set(
      code,
      OFFICES.map((office, j) => {
        const full = `${GIVEN[(i + j) % GIVEN.length]} ${FAMILY[(i * 5 + j) % FAMILY.length]}`
        const id = `${full.toLowerCase().replace(' ', '-')}-${code.toLowerCase()}`
        return { id, name: full, office: `${office} of ${name}`, country: code }
      }),
    )
  }
  const seeded = { visits: [], calls: [], meetings: [], travellers: [], pairs: [], streams: [] }
  return { people, capitals, names, seeded, open: new Map(), versions: new Map() }
}

/** A new visit from a person of `a` to the capital of `b` in `month`, with its engagements. */
export function visitCommands(
  world: World,
  random: () => number,
  a: string,
  b: string,
  month: string,
) {
  const visitId = randomUUID()
  const visitor = pick(random, world.people.get(a)!)
  const host = world.people.get(b)![Math.floor(random() * 2)]!
  const destination = world.capitals.get(b)!
  const src = () => [
    source(random, `the visit of ${visitor.name} to ${destination.city}`, `${month}-01`),
  ]
  const commands: DomainCommand[] = [
    {
      type: 'ScheduleVisit',
      data: {
        visitId,
        visitor,
        destination,
        period: time(month),
        purpose: `Talks with ${host.name} on ${pick(random, TOPICS).toLowerCase()}`,
      },
      metadata: { actor: 'bench', at: AT, sources: src() },
    } as DomainCommand,
  ]
  const open: OpenVisit = { id: visitId, month, wide: false, engagements: [], visitor, host }
  for (let k = Math.floor(random() * 4) + 1; k > 0; k--) {
    const engagementId = randomUUID()
    const kind = pick(random, ENGAGEMENT_KINDS)
    const status = random() < 0.7 ? 'confirmed' : 'tentative'
    open.engagements.push({ id: engagementId, status })
    commands.push({
      type: 'AddEngagement',
      data: {
        visitId,
        engagement: {
          engagementId,
          kind,
          title: `${kind[0]!.toUpperCase()}${kind.slice(1).replace('-', ' ')} in ${destination.city}`,
          period: time(`${month}-${pad(1 + Math.floor(random() * 28))}`),
          counterparts: kind === 'talks' ? [host] : [],
          status,
        },
      },
      metadata: { actor: 'bench', at: AT, sources: src() },
    } as DomainCommand)
  }
  return { commands, open }
}

/** Seeded facts are recorded on this day, after every story's month. */
const AT = '2026-11-30T12:00:00Z'

/** One story between `a` and `b`: a visit, a call, a meeting, a relationship fact or a statement. */
function story(world: World, random: () => number): DomainCommand[] {
  const [x, y] = pairAt(random)
  const [a, b] = random() < 0.5 ? [x, y] : [y, x]
  const month = `${2019 + Math.floor(random() * 8)}-${pad(1 + Math.floor(random() * 10))}`
  const day = `${month}-${pad(1 + Math.floor(random() * 28))}`
  const meta = (about: string) => ({
    actor: 'bench',
    at: AT,
    sources: [source(random, about, day)],
  })
  const pa = pick(random, world.people.get(a)!)
  const pb = pick(random, world.people.get(b)!)
  const u = random()
  if (u < 0.45) {
    const { commands, open } = visitCommands(world, random, a, b, month)
    const visitId = open.id
    world.seeded.visits.push(visitId)
    world.seeded.travellers.push(open.visitor.id)
    const mate = pick(random, world.people.get(a)!)
    if (mate.id !== open.visitor.id && random() < 0.5)
      commands.push({
        type: 'AddDelegationMember',
        data: { visitId, member: { person: mate, role: mate.office } },
        metadata: meta('the delegation'),
      } as DomainCommand)
    const end = random()
    const close = (type: string, data: object) =>
      commands.push({
        type,
        data: { visitId, ...data },
        metadata: meta('the visit'),
      } as DomainCommand)
    if (end < 0.5) close('CompleteVisit', {})
    else if (end < 0.6) close('CancelVisit', { reason: 'Postponed without a new date' })
    else {
      if (end < 0.7) {
        close('RescheduleVisit', {
          period: time(`${month}/${nextMonth(month)}`),
          reason: 'Extended',
        })
        open.wide = true
      }
      world.open.set(visitId, open)
    }
    return commands
  }
  if (u < 0.7) {
    const callId = randomUUID()
    world.seeded.calls.push(callId)
    return [
      {
        type: 'RecordCall',
        data: { callId, participants: [pa, pb], date: time(day), topics: topics(random) },
        metadata: meta(`the call of ${pa.name} and ${pb.name}`),
      } as DomainCommand,
    ]
  }
  if (u < 0.82) {
    const meetingId = randomUUID()
    world.seeded.meetings.push(meetingId)
    const commands = [
      {
        type: 'AnnounceMeeting',
        data: {
          meetingId,
          participants: [pa, pb],
          place: world.capitals.get(pick(random, [a, b]))!,
          window: time(month),
          format: pick(random, ['standalone', 'sidelines', 'multilateral', 'virtual'] as const),
          agenda: topics(random),
        },
        metadata: meta('the meeting'),
      },
    ] as DomainCommand[]
    if (random() < 0.5) {
      commands.push({
        type: 'RecordMeetingHeld',
        data: { meetingId, date: time(day) },
        metadata: meta('the meeting'),
      } as DomainCommand)
      commands.push({
        type: 'RecordMeetingOutcome',
        data: {
          meetingId,
          outcomeId: randomUUID(),
          summary: 'Agreed to deepen ties',
          topics: topics(random),
        },
        metadata: meta('the meeting'),
      } as DomainCommand)
    }
    return commands
  }
  if (u < 0.95) return [relationshipCommand(random, [a, b], day)]
  return [
    {
      type: 'PublishStatement',
      data: {
        statementId: randomUUID(),
        kind: pick(random, [
          'readout',
          'release',
          'joint-statement',
          'communique',
          'remarks',
        ] as const),
        issuer: { name: `Ministry of Foreign Affairs of ${world.names.get(a)}`, country: a },
        title: `On relations with ${world.names.get(b)}`,
        date: time(day),
        topics: topics(random),
      },
      metadata: meta('the statement'),
    } as DomainCommand,
  ]
}

/** Cooperation, a friction or an assessment of the pair (`day`: `YYYY-MM-DD`). */
export function relationshipCommand(
  random: () => number,
  dyad: readonly [string, string],
  day: string,
) {
  const metadata = { actor: 'bench', at: AT, sources: [source(random, 'the relationship', day)] }
  const u = random()
  const data =
    u < 0.45
      ? {
          area: pick(random, ['diplomatic', 'economic', 'security', 'agreement'] as const),
          topic: pick(random, TOPICS),
          date: time(day),
        }
      : u < 0.8
        ? {
            frictionId: randomUUID(),
            title: `Dispute over ${pick(random, TOPICS).toLowerCase()}`,
            description: 'Officials of both sides traded public criticism.',
            severity: pick(random, ['minor', 'serious', 'severe'] as const),
            topics: topics(random),
          }
        : {
            label: pick(random, ['strained', 'recovering', 'normal', 'close'] as const),
            rationale: 'Recent contacts',
            asOf: time(day),
          }
  const type = u < 0.45 ? 'RecordCooperation' : u < 0.8 ? 'RecordFriction' : 'AssessRelationship'
  return { type, data: { dyad: [...dyad], ...data }, metadata } as DomainCommand
}

/**
 * At least `count` events of stories decided by the domain's deciders, in order, and the world
 * they leave (what is open, each stream's version).
 */
export function loadHistory(count: number, seed = 2026): { world: World; events: HistoryEvent[] } {
  const random = lcg(seed)
  const world = createWorld()
  const states = new Map<string, unknown>()
  const events: HistoryEvent[] = []
  const pairs = new Set<string>()
  while (events.length < count) {
    for (const command of story(world, random)) {
      const routed = route(command)
      const decider = deciderFor(routed.aggregate)
      const streamId = decider.streamId(routed.id)
      let state = states.get(streamId) ?? decider.initialState()
      let version = world.versions.get(streamId) ?? 0
      for (const event of decider.decide(routed.command as Command, state) as Event[]) {
        state = decider.evolve(state, event)
        version++
        events.push({
          eventId: randomUUID(),
          streamId,
          streamVersion: version,
          type: event.type,
          schemaVersion: schemaVersionOf(event.type),
          data: event.data,
          metadata: {
            actor: 'bench',
            commandType: command.type,
            sources: command.metadata.sources,
          },
        })
      }
      states.set(streamId, state)
      if (!world.versions.has(streamId)) world.seeded.streams.push(streamId)
      world.versions.set(streamId, version)
      if (routed.aggregate === 'relationship') pairs.add(routed.id)
    }
  }
  world.seeded.pairs = [...pairs].map((id) => id.split('-') as [string, string])
  world.seeded.travellers = [...new Set(world.seeded.travellers)]
  return { world, events }
}
