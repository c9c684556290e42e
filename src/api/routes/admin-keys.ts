import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { NotFoundError } from '../../domain/errors.js'
import type { Authenticator } from '../auth/authenticator.js'
import { type ApiKeyRecord, type ApiKeyStore, issueApiKey } from '../auth/key-store.js'
import { SCOPES } from '../auth/scopes.js'

const ScopeName = Type.Enum(SCOPES, {
  description: 'What the key may do; admin implies every scope',
})

const ApiKey = Type.Object(
  {
    id: Type.String({ description: 'The public id of the key, part of the key itself' }),
    name: Type.String(),
    scopes: Type.Array(ScopeName),
    createdAt: Type.String({ format: 'date-time' }),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'ApiKey' },
)

const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: 'The key: shown this once, never stored' }),
})

const NewApiKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Who or what holds the key' }),
    scopes: Type.Array(ScopeName, { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
)

function view(record: ApiKeyRecord) {
  return {
    id: record.id,
    name: record.name,
    scopes: record.scopes,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
  }
}

const problems = { 401: { $ref: 'Problem#' }, 403: { $ref: 'Problem#' } } as const

/**
 * Managing API keys over HTTP (scope `admin`): what `entente keys` uses when the embedded
 * store is held by the running service.
 */
export const adminKeyRoutes: FastifyPluginAsyncTypebox<{
  keys: ApiKeyStore
  authenticator: Authenticator
}> = async (app, { keys, authenticator }) => {
  app.post(
    '/v1/admin/keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Create an API key; the response holds the key, shown once',
        body: NewApiKey,
        response: { 201: CreatedApiKey, 400: { $ref: 'Problem#' }, ...problems },
      },
    },
    async (request, reply) => {
      const { record, key } = await issueApiKey(keys, request.body.name, request.body.scopes)
      request.log.info({ keyId: record.id, scopes: record.scopes }, 'API key created')
      return reply.code(201).send({ ...view(record), key })
    },
  )

  app.get(
    '/v1/admin/keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Every API key, revoked ones included (never the keys themselves)',
        response: { 200: Type.Object({ items: Type.Array(ApiKey) }), ...problems },
      },
    },
    async () => ({ items: (await keys.list()).map(view) }),
  )

  app.delete(
    '/v1/admin/keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API key: it is refused from now on',
        params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{12}$' }) }),
        response: { 200: ApiKey, 404: { $ref: 'Problem#' }, ...problems },
      },
    },
    async (request) => {
      const record = await keys.revoke(request.params.id)
      if (!record) throw new NotFoundError('API key', request.params.id)
      authenticator.forget(record.id)
      request.log.info({ keyId: record.id }, 'API key revoked')
      return view(record)
    },
  )
}
