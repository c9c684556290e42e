import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import t from 'tap'
import { openTestApi } from '../helpers/api.js'

/** Debian's chromium package; CI machines install it (see README, Tests). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

t.test('the interactive docs render in a real browser and list the operations', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.fail(`no browser at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`)
    return
  }
  const { app } = await openTestApi(t, {}, { projections: false })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))

  const response = await page.goto(`${base}/docs`, { waitUntil: 'load' })
  t.equal(response?.status(), 200)
  await page.waitForSelector('.opblock', { timeout: 30_000 })
  t.match(await page.title(), /Swagger UI/)
  t.match(await page.textContent('.info .title'), /Entente API/)

  const operations = await page.$$eval('.opblock-summary-path', (nodes) =>
    nodes.map((n) => n.getAttribute('data-path') ?? n.textContent?.trim() ?? ''),
  )
  for (const path of [
    '/v1/visits',
    '/v1/visits/{id}',
    '/v1/itineraries/{personId}',
    '/v1/relationships/{a}/{b}',
    '/v1/events/live',
    '/v1/streams/{streamId}/history',
    '/v1/audit/verify',
  ])
    t.ok(
      operations.some((o) => o.replace(/\u200b/g, '') === path),
      `the page lists ${path}`,
    )
  t.ok(operations.length >= 40, `${operations.length} operations listed`)
  const tags = await page.$$eval('.opblock-tag', (nodes) => nodes.map((n) => n.textContent ?? ''))
  t.ok(
    tags.some((tag) => /visits/.test(tag)) && tags.some((tag) => /audit/.test(tag)),
    'grouped by tag',
  )
  t.same(errors, [], 'no script error on the page')
})
