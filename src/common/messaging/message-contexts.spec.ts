import { RedisContext, TcpContext } from '@nestjs/microservices';
import { NatsPacketContext } from './nats.server.js';
import { InProcessContext } from './in-process.context.js';
import { patternOf } from '../observability/observe.hooks.js';

describe('patternOf: the pattern a handled message is logged, counted and traced under', () => {
  it.each([
    ['in-process', new InProcessContext(['users.get', {}])],
    ['TCP', new TcpContext([undefined as never, 'users.get', {}])],
    // Redis names it the channel: without looking there, every Redis message was labelled `unknown`.
    ['Redis', new RedisContext(['users.get', {}])],
    ['NATS', new NatsPacketContext('staging.users.get', undefined, 'users.get', {})],
  ])('names the pattern of a message that came over %s', (_transport, context) => {
    expect(patternOf(context as never)).toBe('users.get');
  });
});
