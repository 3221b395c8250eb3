// Driver errors → domain errors: which faults mean "the database is away, keep the results and
// retry" (StorageUnavailableError) rather than a bug; the real outages are in
// tests/integration/faults.test.ts, these are the driver's words for the ones a test cannot time.
import { describe, expect, it } from 'vitest';
import { DuplicateError, StorageUnavailableError } from '../../../detector/errors.js';
import { translateError } from '../../../detector/store/database.js';

const driverError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('translateError', () => {
  it.each([
    ['a connection cut in the middle of a query (node-postgres gives no code)', driverError('Connection terminated unexpectedly')],
    ['a client whose connection broke earlier', driverError('Client has encountered a connection error and is not queryable')],
    ['a refused connection', driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a socket closed while writing', driverError('write EPIPE', 'EPIPE')],
    ['a PostgreSQL connection exception (class 08)', driverError('connection failure', '08006')],
    ['a PostgreSQL crash shutdown', driverError('terminating connection because of crash of another server process', '57P02')],
    ['a SQLite I/O error', driverError('disk I/O error', 'SQLITE_IOERR_WRITE')],
  ])('%s: database unavailable', (_what, err) => {
    const translated = translateError(err);
    expect(translated).toBeInstanceOf(StorageUnavailableError);
    expect((translated as Error).message).toMatch(/^database unavailable: /);
  });

  it.each([
    ['SQLite on a full disk', driverError('database or disk is full', 'SQLITE_FULL'), 'disk full'],
    ['a read-only SQLite file', driverError('attempt to write a readonly database', 'SQLITE_READONLY'), 'read-only'],
    ['a SQLite file that became read-only while open', driverError('attempt to write a readonly database', 'SQLITE_READONLY_DBMOVED'), 'read-only'],
    ['PostgreSQL out of disk space', driverError('could not extend file: No space left on device', '53100'), 'disk full'],
  ])('%s: cannot be written, and the reason says why', (_what, err, reason) => {
    const translated = translateError(err);
    expect(translated).toBeInstanceOf(StorageUnavailableError);
    expect((translated as Error).message).toContain(`database cannot be written (${reason})`);
  });

  it('a unique violation is a duplicate, and an unknown error passes through unchanged', () => {
    expect(translateError(driverError('duplicate key', '23505'))).toBeInstanceOf(DuplicateError);
    const bug = driverError('column "nope" does not exist', '42703');
    expect(translateError(bug)).toBe(bug);
  });
});
