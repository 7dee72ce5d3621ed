import {
  readBusSettings,
  readDatabaseSettings,
  readHttpSettings,
  logsAt,
  readLogSettings,
  readMetricsSettings,
  readShutdownSettings,
  readTcpListenerSettings,
} from './settings.js';
import { configError } from '../../../test/support/config-error.js';

describe('settings', () => {
  it('binds HTTP to loopback in a process without the public API unless HOST says otherwise', () => {
    expect(readHttpSettings({ API: 'false' }).host).toBe('127.0.0.1');
    expect(readHttpSettings({ API: 'false', HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(readHttpSettings({ API: 'true' }).host).toBe('0.0.0.0');
  });

  it('reads the TCP listener limits and the metrics token', () => {
    expect(readTcpListenerSettings({})).toEqual({ maxFrameChars: 1_048_576, maxConnections: 256 });
    expect(readTcpListenerSettings({ BUS_TCP_MAX_FRAME_CHARS: '65536', BUS_TCP_MAX_CONNECTIONS: '3' })).toEqual({
      maxFrameChars: 65_536,
      maxConnections: 3,
    });
    expect(configError(() => readTcpListenerSettings({ BUS_TCP_MAX_FRAME_CHARS: '100' })).variable).toBe('BUS_TCP_MAX_FRAME_CHARS');
    expect(readMetricsSettings({})).toEqual({ token: undefined, http: true });
    expect(readMetricsSettings({ METRICS_TOKEN: ' a-long-enough-scrape-token ' })).toEqual({
      token: 'a-long-enough-scrape-token',
      http: true,
    });
    expect(configError(() => readMetricsSettings({ METRICS_TOKEN: 'short' })).variable).toBe('METRICS_TOKEN');
  });

  it('keeps the readiness delay inside the shutdown grace period', () => {
    expect(readShutdownSettings({})).toEqual({ graceMs: 15_000, readinessDelayMs: 5000 });
    expect(readShutdownSettings({ SHUTDOWN_GRACE_MS: '3000' })).toEqual({ graceMs: 3000, readinessDelayMs: 1500 });
    expect(readShutdownSettings({ SHUTDOWN_GRACE_MS: '0' })).toEqual({ graceMs: 0, readinessDelayMs: 0 });
    expect(readShutdownSettings({ SHUTDOWN_GRACE_MS: '20000', SHUTDOWN_READINESS_DELAY_MS: '0' })).toEqual({
      graceMs: 20_000,
      readinessDelayMs: 0,
    });
    expect(readShutdownSettings({ SHUTDOWN_GRACE_MS: '20000', SHUTDOWN_READINESS_DELAY_MS: '12000' })).toEqual({
      graceMs: 20_000,
      readinessDelayMs: 12_000,
    });
    const tooLong = configError(() => readShutdownSettings({ SHUTDOWN_GRACE_MS: '4000', SHUTDOWN_READINESS_DELAY_MS: '4000' }));
    expect(tooLong.variable).toBe('SHUTDOWN_READINESS_DELAY_MS');
    expect(tooLong.message).toContain('must be less than SHUTDOWN_GRACE_MS (4000)');
    expect(configError(() => readShutdownSettings({ SHUTDOWN_READINESS_DELAY_MS: '-1' })).variable).toBe('SHUTDOWN_READINESS_DELAY_MS');
  });

  it('has defaults for everything', () => {
    expect(readHttpSettings({})).toEqual({ host: '0.0.0.0', port: 3000, bodyLimitBytes: 102400 });
    expect(readBusSettings({})).toEqual({
      deadlineMs: 5000,
      retries: 2,
      retryBackoffMs: 100,
      breakerErrorThresholdPercent: 50,
      breakerResetMs: 2000,
      breakerVolumeThreshold: 5,
    });
    expect(readDatabaseSettings({})).toEqual({ dataDir: './data', runMigrations: true, poolSize: 10, acquireTimeoutMs: 10_000 });
  });

  it('reads every value that is set', () => {
    expect(readHttpSettings({ HOST: ' 127.0.0.1 ', PORT: '0', BODY_LIMIT_BYTES: '2048' })).toEqual({
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 2048,
    });
    expect(
      readBusSettings({
        BUS_DEADLINE_MS: '250',
        BUS_RETRIES: '0',
        BUS_RETRY_BACKOFF_MS: '5',
        BUS_BREAKER_ERROR_PERCENT: '100',
        BUS_BREAKER_RESET_MS: '100',
        BUS_BREAKER_MIN_REQUESTS: '1',
      }),
    ).toEqual({
      deadlineMs: 250,
      retries: 0,
      retryBackoffMs: 5,
      breakerErrorThresholdPercent: 100,
      breakerResetMs: 100,
      breakerVolumeThreshold: 1,
    });
    expect(
      readDatabaseSettings({ DATA_DIR: ':memory:', MIGRATIONS_RUN: 'false', DATABASE_POOL_SIZE: '3', DATABASE_ACQUIRE_TIMEOUT_MS: '2500' }),
    ).toEqual({
      dataDir: ':memory:',
      runMigrations: false,
      poolSize: 3,
      acquireTimeoutMs: 2500,
    });
  });

  it('tells whether a log level is written at the configured one', () => {
    const at = (LOG_LEVEL: string) => readLogSettings({ LOG_LEVEL });
    expect(logsAt(at('trace'), 'debug')).toBe(true);
    expect(logsAt(at('debug'), 'debug')).toBe(true);
    expect(logsAt(at('info'), 'debug')).toBe(false);
    expect(logsAt(at('info'), 'info')).toBe(true);
    expect(logsAt(at('fatal'), 'error')).toBe(false);
    expect(logsAt(at('silent'), 'fatal')).toBe(false);
  });

  it('reads the switches that leave a layer of the request path out, each on unless set to false', () => {
    expect(readLogSettings({}).requests).toBe(true);
    expect(readLogSettings({ LOG_REQUESTS: 'false' }).requests).toBe(false);
    expect(configError(() => readLogSettings({ LOG_REQUESTS: 'sometimes' })).variable).toBe('LOG_REQUESTS');
    expect(readMetricsSettings({ METRICS_HTTP: 'false' }).http).toBe(false);
    expect(readMetricsSettings({ METRICS_HTTP: ' TRUE ' }).http).toBe(true);
    expect(configError(() => readMetricsSettings({ METRICS_HTTP: 'off' })).variable).toBe('METRICS_HTTP');
  });
});
