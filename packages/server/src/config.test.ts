// Configuration from the environment: WAYMARK_LOG_LEVEL's default, its accepted values, and the
// error a wrong value gives (naming the variable and every level).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFromEnv, DEFAULT_LOG_LEVEL, LOG_LEVELS } from './config.ts';
import { AppError } from './errors.ts';

describe('configFromEnv: WAYMARK_LOG_LEVEL', () => {
  it('defaults to warn: security events and errors, not every request', () => {
    assert.equal(DEFAULT_LOG_LEVEL, 'warn');
    assert.equal(configFromEnv({}).logLevel, 'warn');
    assert.equal(configFromEnv({ WAYMARK_LOG_LEVEL: '' }).logLevel, 'warn');
  });

  it("takes each of pino's levels, in any case", () => {
    for (const level of LOG_LEVELS)
      assert.equal(configFromEnv({ WAYMARK_LOG_LEVEL: level }).logLevel, level);
    assert.equal(configFromEnv({ WAYMARK_LOG_LEVEL: ' Debug ' }).logLevel, 'debug');
  });

  it('refuses anything else, naming the variable and the accepted values', () => {
    assert.throws(
      () => configFromEnv({ WAYMARK_LOG_LEVEL: 'verbose' }),
      (err: unknown) =>
        err instanceof AppError &&
        err.code === 'invalid_input' &&
        err.message ===
          'WAYMARK_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent (got "verbose")' &&
        err.details[0]?.path === 'WAYMARK_LOG_LEVEL',
    );
  });
});
