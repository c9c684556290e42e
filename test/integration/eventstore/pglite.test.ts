import t from 'tap'
import type { EventLogConnection } from '../../../src/eventstore/index.js'
import { openTestPglite } from '../../helpers/postgres.js'
import { eventLogContract } from './contract.js'

// Starting PGlite takes seconds: one store for the suite, each test on streams of its own
// would not isolate counts, so each test gets a fresh in-memory store instead, created lazily.
eventLogContract(t, (t): Promise<EventLogConnection> => openTestPglite(t))
