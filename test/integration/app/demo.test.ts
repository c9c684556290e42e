import t from 'tap'
import { deterministicIds, loadDemo } from '../../../src/app/demo.js'
import { countEvents, openTestPostgres } from '../../helpers/postgres.js'

t.test('the demo records the seed article once, under the same ids every time', async (t) => {
  const log = await openTestPostgres(t)
  const first = await loadDemo(log)
  t.equal(first.alreadyLoaded, false)
  t.ok(first.handled.length >= 8, 'every command of the scenario was handled')
  const streams = new Set(first.handled.map((h) => h.streamId))
  t.ok(streams.has('relationship-FR-US'), 'the AUKUS friction sits on the FR-US relationship')
  const count = await countEvents(log.db)
  t.ok(count > 0, 'the demo appended events')

  const again = await loadDemo(log)
  t.equal(again.alreadyLoaded, true, 'a second load sees the first')
  t.equal(await countEvents(log.db), count, 'and appends nothing')
})

t.test('deterministic ids are well-formed version 5 UUIDs that repeat per namespace', async (t) => {
  const a = deterministicIds('x')
  const b = deterministicIds('x')
  const c = deterministicIds('y')
  const first = a()
  t.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.equal(b(), first)
  t.not(c(), first)
  t.not(a(), first, 'the next id differs')
})
