import { randomUUID } from 'node:crypto'
import { bodyOf } from '../src/api/schemas/examples.js'
import type { DomainCommand } from '../src/domain/deciders.js'
import {
  lcg,
  nextMonth,
  pad,
  pairAt,
  pick,
  relationshipCommand,
  source,
  topics,
  visitCommands,
  type World,
} from './load-dataset.js'

/**
 * The load's mix of requests, drawn one at a time: about 70% reads (a visit, an itinerary, a
 * pair's status, the calendar, lists, a call or a meeting), 25% commands (new visits, calls,
 * meetings, statements and relationship facts with fresh ids; engagements added and changed
 * and visits rescheduled on open visits, with If-Match of the version last seen) and 5% audit
 * reads (a stream's history or events). Reads ask for what was seeded, so that every one of
 * them exists in the read models; commands on a stream wait for no one: a stream with a
 * command in flight is not picked again until it answers, as one client per record would do.
 */
export type RequestKind = 'read' | 'command' | 'audit'

export interface LoadRequest {
  kind: RequestKind
  /** The route template, for the per-route figures. */
  route: string
  method: 'GET' | 'POST'
  path: string
  body?: unknown
  ifMatch?: string
  /** Told the status and ETag of the answer (commands keep the world up to date with it). */
  done?: (status: number, etag: string | undefined) => void
}

type Weighted = [number, () => LoadRequest | undefined]

const year = (random: () => number) => 2019 + Math.floor(random() * 8)
const instant = (y: number, m: number) => `${y}-${pad(m)}-01T00:00:00Z`

/** The body of a command over HTTP: what the path carries left out, times as EDTF text. */
function bodyFor(command: DomainCommand, ...pathFields: string[]) {
  const body = bodyOf(command)
  for (const field of pathFields) delete body[field]
  return body
}

/** A source of load requests over `world`; deterministic for a seed. */
export function createMix(world: World, seed = 7): () => LoadRequest {
  const random = lcg(seed)
  // Sources of the load's commands are published today: never after the command.
  const today = new Date().toISOString().slice(0, 10)
  const busy = new Set<string>()
  const { seeded } = world
  const get = (kind: RequestKind, route: string, path: string): LoadRequest => ({
    kind,
    route,
    method: 'GET',
    path,
  })

  /** A command on `stream` with If-Match; the world learns the new version when it succeeds. */
  const onStream = (
    route: string,
    path: string,
    stream: string,
    body: unknown,
    then?: () => void,
  ): LoadRequest => {
    busy.add(stream)
    return {
      kind: 'command',
      route,
      method: 'POST',
      path,
      body,
      ifMatch: `"${world.versions.get(stream) ?? 0}"`,
      done(status, etag) {
        busy.delete(stream)
        if (status < 300) {
          if (etag) world.versions.set(stream, Number(etag.replaceAll('"', '')))
          then?.()
        }
      },
    }
  }
  const create = (route: string, path: string, body: unknown, then?: () => void) =>
    ({
      kind: 'command',
      route,
      method: 'POST',
      path,
      body,
      done(status: number) {
        if (status < 300) then?.()
      },
    }) satisfies LoadRequest

  /** An open visit with no command in flight, if one turns up in a few draws. */
  const openVisit = () => {
    const ids = [...world.open.keys()]
    for (let i = 0; i < 5 && ids.length > 0; i++) {
      const visit = world.open.get(pick(random, ids))!
      if (!busy.has(`visit-${visit.id}`)) return visit
    }
    return undefined
  }

  const mix: Weighted[] = [
    // Reads: 70.
    [24, () => get('read', '/v1/visits/{id}', `/v1/visits/${pick(random, seeded.visits)}`)],
    [
      12,
      () =>
        get(
          'read',
          '/v1/itineraries/{personId}',
          `/v1/itineraries/${pick(random, seeded.travellers)}`,
        ),
    ],
    [
      12,
      () => {
        const [a, b] = pick(random, seeded.pairs)
        return get('read', '/v1/relationships/{a}/{b}', `/v1/relationships/${a}/${b}`)
      },
    ],
    [
      10,
      () => {
        const y = year(random)
        const m = 1 + Math.floor(random() * 10)
        const country = pairAt(random)[0]
        const range = `from=${instant(y, m)}&to=${instant(y, m + 2)}`
        return get('read', '/v1/engagements', `/v1/engagements?country=${country}&${range}`)
      },
    ],
    [
      6,
      () => {
        const y = year(random)
        const country = pairAt(random)[1]
        const range = `from=${instant(y, 1)}&to=${instant(y + 1, 1)}`
        return get('read', '/v1/visits', `/v1/visits?country=${country}&${range}&limit=20`)
      },
    ],
    [3, () => get('read', '/v1/relationships', `/v1/relationships?country=${pairAt(random)[0]}`)],
    [2, () => get('read', '/v1/calls/{id}', `/v1/calls/${pick(random, seeded.calls)}`)],
    [1, () => get('read', '/v1/meetings/{id}', `/v1/meetings/${pick(random, seeded.meetings)}`)],
    // Audit reads: 5.
    [
      2.5,
      () => {
        const stream = pick(random, seeded.streams)
        return get('audit', '/v1/streams/{streamId}/history', `/v1/streams/${stream}/history`)
      },
    ],
    [
      2.5,
      () => {
        const stream = pick(random, seeded.streams)
        return get('audit', '/v1/streams/{streamId}/events', `/v1/streams/${stream}/events`)
      },
    ],
    // Commands: 25.
    [
      6,
      () => {
        const [a, b] = random() < 0.5 ? pairAt(random) : [...pairAt(random)].reverse()
        const month = `${2026 + Math.floor(random() * 2)}-${pad(1 + Math.floor(random() * 12))}`
        const { commands, open } = visitCommands(world, random, a!, b!, month)
        open.engagements = []
        const body = { ...bodyFor(commands[0]!), sources: [source(random, 'the visit', today)] }
        return create('/v1/visits', '/v1/visits', body, () => {
          world.versions.set(`visit-${open.id}`, 1)
          world.open.set(open.id, open)
        })
      },
    ],
    [
      6,
      () => {
        const visit = openVisit()
        if (!visit) return undefined
        const status = random() < 0.5 ? 'confirmed' : 'tentative'
        const engagementId = randomUUID()
        const kind = pick(random, ['talks', 'dinner', 'press-conference', 'site-visit'] as const)
        const body = {
          engagement: {
            engagementId,
            kind,
            title: `${kind} with ${visit.host.name}`,
            period: { edtf: `${visit.month}-${pad(1 + Math.floor(random() * 28))}` },
            counterparts: [visit.host],
            status,
          },
          sources: [source(random, 'the itinerary', today)],
        }
        const stream = `visit-${visit.id}`
        return onStream(
          '/v1/visits/{id}/engagements',
          `/v1/visits/${visit.id}/engagements`,
          stream,
          body,
          () => visit.engagements.push({ id: engagementId, status }),
        )
      },
    ],
    [
      3,
      () => {
        const visit = openVisit()
        if (!visit) return undefined
        const period = visit.wide ? visit.month : `${visit.month}/${nextMonth(visit.month)}`
        const body = {
          period: { edtf: period },
          reason: visit.wide ? 'Shortened' : 'Extended',
          sources: [source(random, 'the new dates', today)],
        }
        const stream = `visit-${visit.id}`
        return onStream(
          '/v1/visits/{id}/reschedule',
          `/v1/visits/${visit.id}/reschedule`,
          stream,
          body,
          () => {
            visit.wide = !visit.wide
          },
        )
      },
    ],
    [
      3,
      () => {
        const visit = openVisit()
        const engagement = visit?.engagements.length ? pick(random, visit.engagements) : undefined
        if (!visit || !engagement) return undefined
        const status = engagement.status === 'confirmed' ? 'tentative' : 'confirmed'
        const body = {
          changes: { status },
          sources: [source(random, 'the programme', today)],
        }
        const stream = `visit-${visit.id}`
        return onStream(
          '/v1/visits/{id}/engagements/{engagementId}/change',
          `/v1/visits/${visit.id}/engagements/${engagement.id}/change`,
          stream,
          body,
          () => {
            engagement.status = status
          },
        )
      },
    ],
    [
      3,
      () => {
        const [a, b] = pairAt(random)
        const body = {
          callId: randomUUID(),
          participants: [pick(random, world.people.get(a)!), pick(random, world.people.get(b)!)],
          date: {
            edtf: `2026-${pad(1 + Math.floor(random() * 11))}-${pad(1 + Math.floor(random() * 28))}`,
          },
          topics: topics(random),
          sources: [source(random, 'the call', today)],
        }
        return create('/v1/calls', '/v1/calls', body)
      },
    ],
    [
      1,
      () => {
        const [a, b] = pairAt(random)
        const body = {
          meetingId: randomUUID(),
          participants: [pick(random, world.people.get(a)!), pick(random, world.people.get(b)!)],
          place: world.capitals.get(b)!,
          window: { edtf: `2027-${pad(1 + Math.floor(random() * 12))}` },
          format: 'standalone',
          agenda: topics(random),
          sources: [source(random, 'the meeting', today)],
        }
        return create('/v1/meetings', '/v1/meetings', body)
      },
    ],
    [
      2,
      () => {
        const pair = pairAt(random)
        const stream = `relationship-${[...pair].sort().join('-')}`
        if (busy.has(stream)) return undefined
        const command = relationshipCommand(random, pair, today)
        const path =
          { RecordCooperation: 'cooperation', RecordFriction: 'frictions' }[
            command.type as string
          ] ?? 'assessments'
        return onStream(
          `/v1/relationships/{a}/{b}/${path}`,
          `/v1/relationships/${pair[0]}/${pair[1]}/${path}`,
          stream,
          bodyFor(command, 'dyad'),
        )
      },
    ],
    [
      1,
      () => {
        const [a, b] = pairAt(random)
        const body = {
          statementId: randomUUID(),
          kind: 'release',
          issuer: { name: `Ministry of Foreign Affairs of ${world.names.get(a)}`, country: a },
          title: `On relations with ${world.names.get(b)}`,
          date: { edtf: today },
          topics: topics(random),
          sources: [source(random, 'the statement', today)],
        }
        return create('/v1/statements', '/v1/statements', body)
      },
    ],
  ]
  const total = mix.reduce((s, [w]) => s + w, 0)

  return () => {
    for (;;) {
      let left = random() * total
      for (const [weight, make] of mix) {
        left -= weight
        if (left >= 0) continue
        const request = make()
        if (request) return request
        break
      }
    }
  }
}
