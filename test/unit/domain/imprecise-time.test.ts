import t from 'tap'

import { parseImpreciseTime, resolveImpreciseTimes } from '../../../src/app/imprecise-time.js'
import { ValidationError } from '../../../src/domain/errors.js'
import { within } from '../../../src/domain/values/imprecise-time.js'

const parse = (edtf: string) => parseImpreciseTime({ edtf }, '/period')
const bounds = (edtf: string) => {
  const { precision, earliest, latest } = parse(edtf)
  return { precision, earliest, latest }
}

t.test('a month covers its first to its last millisecond in UTC', async (t) => {
  t.strictSame(bounds('2021-11'), {
    precision: 'month',
    earliest: '2021-11-01T00:00:00.000Z',
    latest: '2021-11-30T23:59:59.999Z',
  })
})

t.test('a day and a year have their own precision', async (t) => {
  t.match(bounds('2021-11-11'), {
    precision: 'day',
    earliest: '2021-11-11T00:00:00.000Z',
    latest: '2021-11-11T23:59:59.999Z',
  })
  t.match(bounds('2021'), { precision: 'year', latest: '2021-12-31T23:59:59.999Z' })
})

t.test('a one-of set spans from its first member to its last, unlike edtf’s own max', async (t) => {
  t.strictSame(bounds('[2021-10-23..2021-10-31]'), {
    precision: 'set',
    earliest: '2021-10-23T00:00:00.000Z',
    latest: '2021-10-31T23:59:59.999Z',
  })
  t.match(bounds('[2021-10-23..2021-10-25,2021-10-30]'), { latest: '2021-10-30T23:59:59.999Z' })
  t.match(bounds('{2021-10-23,2021-10-25}'), {
    precision: 'list',
    latest: '2021-10-25T23:59:59.999Z',
  })
})

t.test('an open or unknown end gives a null bound on that side', async (t) => {
  t.strictSame(bounds('2023-02-05/..'), {
    precision: 'interval',
    earliest: '2023-02-05T00:00:00.000Z',
    latest: null,
  })
  t.strictSame(bounds('../2023-02-05'), {
    precision: 'interval',
    earliest: null,
    latest: '2023-02-05T23:59:59.999Z',
  })
  t.match(bounds('2023-02-05/'), { latest: null })
  t.match(bounds('[..2021-10-31]'), { earliest: null, latest: '2021-10-31T23:59:59.999Z' })
})

t.test(
  'an open-ended period contains later dates, and nothing contains an unbounded start',
  async (t) => {
    t.ok(within(parse('2030-01-01'), parse('2023-02-05/..')))
    t.notOk(within(parse('../2023-02-05'), parse('2023')))
  },
)

t.test('a timed value keeps its offset and spans its last unit', async (t) => {
  t.strictSame(bounds('2021-11-11T10:00:00+01:00'), {
    precision: 'second',
    earliest: '2021-11-11T09:00:00.000Z',
    latest: '2021-11-11T09:00:00.999Z',
  })
  t.match(bounds('2021-11-11T10:00+01:00'), {
    precision: 'minute',
    latest: '2021-11-11T09:00:59.999Z',
  })
  t.match(bounds('2021-11-11T10:00:00.250Z'), {
    precision: 'millisecond',
    latest: '2021-11-11T10:00:00.250Z',
  })
  t.match(bounds('2021-11-11T10:00:00+01:00/2021-11-11T12:00:00+01:00'), {
    earliest: '2021-11-11T09:00:00.000Z',
    latest: '2021-11-11T11:00:00.999Z',
  })
})

t.test('bounds do not depend on the host’s time zone', async (t) => {
  const tz = process.env.TZ
  process.env.TZ = 'Pacific/Kiritimati'
  try {
    t.match(bounds('2021-11'), { earliest: '2021-11-01T00:00:00.000Z' })
  } finally {
    if (tz === undefined) delete process.env.TZ
    else process.env.TZ = tz
  }
})

t.test('the phrase and the date it was relative to are kept', async (t) => {
  const value = parseImpreciseTime(
    { edtf: '[2021-10-23..2021-10-31]', phrase: 'later this month', relativeTo: '2021-10-22' },
    '/window',
  )
  t.match(value, { phrase: 'later this month', relativeTo: '2021-10-22' })
})

/** The violations parsing `input` at /engagement/period is refused with. */
function refusal(input: Parameters<typeof parseImpreciseTime>[0]): unknown {
  try {
    parseImpreciseTime(input, '/engagement/period')
  } catch (error) {
    if (error instanceof ValidationError) return error.details
    throw error
  }
  return 'accepted'
}

t.test('malformed EDTF is refused, naming the field', async (t) => {
  for (const edtf of [
    'next month',
    'not-a-date',
    '2021-13',
    '2021-02-30',
    '2021-10-31/2021-10-01',
    '10000',
  ])
    t.match(refusal({ edtf }), [{ field: '/engagement/period/edtf', rule: 'edtf-format' }])
})

t.test('a time of day without its UTC offset is refused rather than read as UTC', async (t) => {
  t.match(refusal({ edtf: '2021-11-11T10:00:00' }), [
    { field: '/engagement/period/edtf', rule: 'edtf-format' },
  ])
})

t.test('values outside the years 0000–9999 and fully open values are refused', async (t) => {
  t.match(refusal({ edtf: 'Y170000002' }), [
    { field: '/engagement/period/edtf', rule: 'edtf-range' },
  ])
  t.match(refusal({ edtf: '-0044-03-15' }), [
    { field: '/engagement/period/edtf', rule: 'edtf-range' },
  ])
  t.match(refusal({ edtf: '../..' }), [
    { field: '/engagement/period/edtf', rule: 'period-unbounded' },
  ])
})

t.test('a bad relativeTo or an empty phrase is refused', async (t) => {
  t.match(refusal({ edtf: '2021-11', relativeTo: 'last Friday' }), [
    { field: '/engagement/period/relativeTo', rule: 'date-format' },
  ])
  t.match(refusal({ edtf: '2021-11', phrase: ' ' }), [
    { field: '/engagement/period/phrase', rule: 'required' },
  ])
})

t.test(
  'resolveImpreciseTimes parses every EDTF value of a command and reports all bad ones',
  async (t) => {
    const resolved = resolveImpreciseTimes({
      visitId: 'v',
      period: { edtf: '2021-11' },
      engagements: [{ period: { edtf: '2021-11-11' } }],
    })
    t.match(resolved, {
      period: { precision: 'month' },
      engagements: [{ period: { precision: 'day' } }],
    })
    try {
      resolveImpreciseTimes({ a: { edtf: 'x' }, b: [{ edtf: 'y' }] })
      t.fail('bad values are refused')
    } catch (error) {
      t.match((error as ValidationError).details, [{ field: '/a/edtf' }, { field: '/b/0/edtf' }])
    }
  },
)

t.test(
  'a text parsed before gives the same value again, with its own phrase each time',
  async (t) => {
    const first = parseImpreciseTime({ edtf: '2021-10-25/2021-10-27', phrase: 'next week' }, '/a')
    const again = parseImpreciseTime({ edtf: '2021-10-25/2021-10-27', phrase: 'Monday' }, '/b')
    t.strictSame({ ...again, phrase: 'next week' }, first)
    t.equal(again.phrase, 'Monday')
  },
)

t.test('a bad text is refused under the field that sent it, every time', async (t) => {
  for (const field of ['/a', '/b']) {
    const error = t.throws(() => parseImpreciseTime({ edtf: '2021-13-45' }, field))
    t.ok(error instanceof ValidationError)
    t.equal((error as ValidationError).details[0]?.field, `${field}/edtf`)
  }
})
