import type { FastifyInstance } from 'fastify'
import type { FieldViolation } from '../domain/errors.js'
import { sendProblem } from './problem.js'

/**
 * Deepest nesting a request body may have. The deepest schema of the API is about eight
 * levels; a correction's `changes` may hold any JSON. Code that walks a value recursively
 * (merge patch, canonical JSON, hashing) overflows the stack somewhere past a few thousand
 * levels, so the limit is checked here, before anything else walks the body.
 */
export const MAX_DEPTH = 64

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Why Postgres could not keep this text as sent (text and jsonb), if it could not. */
function textFault(text: string): { rule: string; message: string } | undefined {
  if (text.includes('\u0000')) return { rule: 'no-nul', message: 'NUL characters are not allowed' }
  if (LONE_SURROGATE.test(text))
    return { rule: 'unicode', message: 'a lone UTF-16 surrogate is not a character' }
  return undefined
}

const pointer = (key: string) => key.slice(0, 100).replaceAll('~', '~0').replaceAll('/', '~1')

/**
 * What no schema says but every part of the service assumes of input: text that Postgres can
 * store as sent (no NUL, no lone surrogate, in values and in member names) and bodies nested
 * at most MAX_DEPTH deep. Walks without recursion, so that the walk itself cannot overflow.
 */
export function inputViolations(value: unknown, root: string): FieldViolation[] {
  const out: FieldViolation[] = []
  const stack: [unknown, string, number][] = [[value, root, 0]]
  while (stack.length > 0 && out.length < 10) {
    const [v, at, depth] = stack.pop()!
    if (typeof v === 'string') {
      const fault = textFault(v)
      if (fault) out.push({ field: at, ...fault })
      continue
    }
    if (typeof v !== 'object' || v === null) continue
    if (depth >= MAX_DEPTH) {
      out.push({ field: at, rule: 'max-depth', message: `nested deeper than ${MAX_DEPTH} levels` })
      continue
    }
    for (const [key, child] of Object.entries(v)) {
      const fault = textFault(key)
      if (fault) out.push({ field: `${at}/${pointer(key)}`, ...fault })
      else stack.push([child, `${at}/${pointer(key)}`, depth + 1])
    }
  }
  return out
}

/** Refuses such input with a 400 naming the field, before validation and handlers see it. */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    const errors = [
      ...inputViolations(request.params, '/params'),
      ...inputViolations(request.query, '/querystring'),
      ...inputViolations(request.body, '/body'),
    ]
    if (errors.length > 0)
      return sendProblem(request, reply, 400, 'invalid-request', 'the request is not valid', errors)
  })
}
