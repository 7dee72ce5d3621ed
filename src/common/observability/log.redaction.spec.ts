import { Writable } from 'node:stream';
import { pino, type LoggerOptions } from 'pino';
import { readLogSettings } from '../config/settings.js';
import { loggerParams } from './logger.params.js';

/** A logger with the process's configuration, writing into `lines` instead of stdout. */
function capture(): { log: pino.Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const options = loggerParams(readLogSettings({ LOG_LEVEL: 'info' })).pinoHttp as LoggerOptions;
  return { log: pino(options, sink), lines };
}

describe('log redaction', () => {
  it('censors a secret field of any object on the line, and leaves the object the caller logged as it was', () => {
    const { log, lines } = capture();
    const body = { name: 'Ada', password: 'correct horse', refreshToken: 'r', passwordHash: 'h' };
    const change = { currentPassword: 'old', newPassword: 'new' };
    log.info({ body, change, count: 2 }, 'with secrets');
    expect(lines[0]).toMatchObject({
      msg: 'with secrets',
      count: 2,
      body: { name: 'Ada', password: '[redacted]', refreshToken: '[redacted]', passwordHash: '[redacted]' },
      change: { currentPassword: '[redacted]', newPassword: '[redacted]' },
    });
    expect(body.password).toBe('correct horse');
    expect(change).toEqual({ currentPassword: 'old', newPassword: 'new' });
  });

  it("censors a failed statement's bound values, on the line's error and on a nested one", () => {
    const { log, lines } = capture();
    const err = Object.assign(new Error('duplicate key'), { parameters: ['ada@example.com', '$argon2id$secret'] });
    log.error({ err }, 'statement failed');
    log.warn({ failure: { err: { message: 'duplicate key', parameters: ['$argon2id$secret'] } } }, 'nested');
    expect(lines[0].err).toMatchObject({ message: 'duplicate key', parameters: '[redacted]' });
    expect(lines[1].failure).toEqual({ err: { message: 'duplicate key', parameters: '[redacted]' } });
    expect(JSON.stringify(lines)).not.toContain('argon2id');
    expect(err.parameters).toHaveLength(2);
  });

  it("censors a logged request's credentials", () => {
    const { log, lines } = capture();
    log.info({ req: { method: 'GET', headers: { authorization: 'Bearer abc', cookie: 'sid=1', accept: '*/*' } } }, 'request');
    expect(lines[0].req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' });
  });

  it('writes a line without secrets as it was given, a field named like a secret at the top level included', () => {
    const { log, lines } = capture();
    const line = { correlationId: 'c-1', method: 'GET', url: '/v1/users/me', statusCode: 200, durationMs: 3, items: [{ password: 1 }] };
    log.info(line, 'request completed');
    log.info({ password: 'top-level fields are not a wildcard path' }, 'top');
    expect(lines[0]).toMatchObject({ ...line, msg: 'request completed' });
    expect(lines[1].password).toBe('top-level fields are not a wildcard path');
  });
});
