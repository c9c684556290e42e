import type { CommandMetadata } from '../decider.js'
import type { Violations } from '../rules.js'
import { epochOf, type ImpreciseTime, isDateOrInstant, toBound } from './imprecise-time.js'
import { checkOptionalText, checkText, LONG_TEXT } from './text.js'

/** What a source cites: another source, named well enough to find it. */
export interface SourceCitation {
  publisher: string
  title?: string
  url?: string
}

/** Where a fact comes from: an official release, a news story. */
export interface Source {
  publisher: string
  /** The title as published; a title in [brackets] is one we supplied, per citation practice. */
  title: string
  url?: string
  /** A date (`2021-10-22`) or an RFC 3339 instant. */
  publishedAt: string
  /** The passage that supports the fact, verbatim. */
  quote?: string
  /** The sources this one relies on, e.g. an agency story citing a government release. */
  derivedFrom?: SourceCitation[]
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/

/** True for an absolute http(s) URL. */
export function isUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2000) return false
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

function checkUrl(v: Violations, value: unknown, field: string): boolean {
  return v.check(value === undefined || isUrl(value), field, 'url', 'must be an http(s) URL')
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

function checkCitations(v: Violations, value: unknown, field: string): boolean {
  if (value === undefined) return true
  if (!v.check(Array.isArray(value), field, 'required', 'must be a list')) return false
  const ok: boolean[] = []
  for (const [i, c] of (value as unknown[]).entries()) {
    const f = `${field}/${i}`
    if (!v.check(isRecord(c), f, 'required', 'is required')) continue
    const citation = c as Partial<SourceCitation>
    ok.push(checkText(v, citation.publisher, `${f}/publisher`))
    ok.push(
      checkOptionalText(v, citation.title, `${f}/title`),
      checkUrl(v, citation.url, `${f}/url`),
    )
  }
  return ok.every(Boolean)
}

/** Checks one source; `at` is the command's time in epoch ms (NaN when it is itself bad). */
function checkSource(v: Violations, value: unknown, field: string, at: number): boolean {
  if (!v.check(isRecord(value), field, 'required', 'is required')) return false
  const s = value as Partial<Source>
  const dated = v.check(
    isDateOrInstant(s.publishedAt),
    `${field}/publishedAt`,
    'date-format',
    'must be a date (2021-10-22) or an RFC 3339 instant',
  )
  const ok = [
    dated,
    checkText(v, s.publisher, `${field}/publisher`),
    checkText(v, s.title, `${field}/title`),
    checkUrl(v, s.url, `${field}/url`),
    checkOptionalText(v, s.quote, `${field}/quote`, LONG_TEXT),
    checkCitations(v, s.derivedFrom, `${field}/derivedFrom`),
  ]
  // A source published after the command was issued cannot have informed it.
  if (dated && !Number.isNaN(at))
    ok.push(
      v.check(
        epochOf(s.publishedAt as string) <= at,
        `${field}/publishedAt`,
        'source-published-after-command',
        'is later than the command',
      ),
    )
  return ok.every(Boolean)
}

/**
 * Checks a command's metadata. Fields are reported at the top level (`/actor`, `/at`,
 * `/sources/0/url`): that is where an API body carries them.
 */
export function checkMetadata(v: Violations, value: unknown): value is CommandMetadata {
  const m = (isRecord(value) ? value : {}) as Partial<CommandMetadata>
  const actorOk = checkText(v, m.actor, '/actor')
  const atOk = v.check(
    typeof m.at === 'string' && INSTANT.test(m.at) && !Number.isNaN(Date.parse(m.at)),
    '/at',
    'instant-format',
    'must be an RFC 3339 instant with a zone',
  )
  const sources = Array.isArray(m.sources) ? (m.sources as unknown[]) : []
  if (!v.check(sources.length > 0, '/sources', 'source-required', 'a command needs a source'))
    return false
  const at = atOk ? Date.parse(m.at as string) : Number.NaN
  const sourcesOk = sources.map((s, i) => checkSource(v, s, `/sources/${i}`, at)).every(Boolean)
  return actorOk && atOk && sourcesOk
}

/** The earliest publication among `sources`, as a UTC bound: when the facts became known. */
export function firstPublished(sources: readonly Source[]): string {
  return sources.map((s) => toBound(s.publishedAt)).sort()[0]!
}

/**
 * When an interaction happened, as best known: the start of its own time where it has one,
 * else its end (an open start), else when the first source reported it.
 */
export function occurredAt(time: ImpreciseTime | undefined, sources: readonly Source[]): string {
  return time?.earliest ?? time?.latest ?? firstPublished(sources)
}
