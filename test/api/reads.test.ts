import t from 'tap'
import { eventually, getter, openTestApi, poster } from '../helpers/api.js'

const sources = [
  { publisher: 'The Associated Press', title: '[A report]', publishedAt: '2021-10-22' },
]
const biden = { id: 'Q6279', name: 'Joe Biden', country: 'US' }
const macron = { id: 'Q3052772', name: 'Emmanuel Macron', country: 'FR' }

t.test(
  'the calendar pages through entries of different kinds that share an id and a time',
  async (t) => {
    const api = await openTestApi(t)
    const post = poster(api)
    const get = getter(api)
    const day = { edtf: '2021-10-22' }
    t.equal(
      (
        await post('/v1/calls', {
          callId: 'same',
          participants: [biden, macron],
          date: day,
          sources,
        })
      ).status,
      201,
    )
    t.equal(
      (
        await post('/v1/meetings', {
          meetingId: 'same',
          participants: [biden, macron],
          place: { city: 'Rome', country: 'IT', timeZone: 'Europe/Rome' },
          window: day,
          format: 'standalone',
          sources,
        })
      ).status,
      201,
    )
    await eventually(
      () => get('/v1/engagements?limit=10'),
      (r) => r.body.items.length === 2,
      'both entries in the calendar',
    )
    const seen: string[] = []
    let after: string | undefined
    for (let page = 0; page < 5; page++) {
      const response = await get(`/v1/engagements?limit=1${after ? `&after=${after}` : ''}`)
      seen.push(
        ...response.body.items.map((e: { entry: string; id: string }) => `${e.entry}:${e.id}`),
      )
      after = response.body.next
      if (!after) break
    }
    t.same(seen.sort(), ['call:same', 'meeting:same'], 'each once, a page each')
  },
)
