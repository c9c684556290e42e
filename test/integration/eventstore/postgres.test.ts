import t from 'tap'
import { openTestPostgres } from '../../helpers/postgres.js'
import { eventLogContract } from './contract.js'

eventLogContract(t, (t) => openTestPostgres(t))
