/**
 * Databases for tests that need a URL (child processes, whole servers): the test-database
 * mechanism of storage/testing.ts, under the name the tests outside storage/ import it by.
 */
export { testDatabases, type TestDatabase, type TestDatabaseKind } from './storage/testing.ts';
