import { ConfigError } from '../config/settings.readers.js';
import { readTracingSettings } from './tracing.settings.js';

describe('tracing settings', () => {
  it('runs the bus tracing hooks unless TRACING_HOOKS is false', () => {
    expect(readTracingSettings({}).hooks).toBe(true);
    expect(readTracingSettings({ TRACING_HOOKS: '0' }).hooks).toBe(false);
    expect(readTracingSettings({ TRACING_HOOKS: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toMatchObject({
      enabled: true,
      hooks: false,
    });
    expect(() => readTracingSettings({ TRACING_HOOKS: 'none' })).toThrow(ConfigError);
    expect(() => readTracingSettings({ TRACING_HOOKS: 'none' })).toThrow(/TRACING_HOOKS/);
  });
});
