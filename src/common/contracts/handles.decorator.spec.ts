import 'reflect-metadata';
import type { INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { IsInt, Min } from 'class-validator';
import { isObservable } from 'rxjs';
import type { BusSettings } from '../config/settings.js';
import { busConfig } from '../config/settings.js';
import { readTopology, type Topology } from '../config/topology.js';
import { defineErrors, DomainError } from '../errors/domain-error.js';
import { TOPOLOGY } from '../config/topology.module.js';
import { ChannelRegistry } from '../messaging/channel.registry.js';
import { InProcessContext } from '../messaging/in-process.context.js';
import { InProcessServer } from '../messaging/in-process.server.js';
import { MessageHandlers } from '../messaging/message-handlers.decorator.js';
import { LOCAL_SERVER } from '../messaging/transports.factory.js';
import { rejection } from '../../../test/support/unit-helpers.js';
import { Handles } from './handles.decorator.js';
import { registrationProblems } from './handler-registration.js';
import { ModuleClient } from './module.client.js';
import { defineModuleContract, defineOperation, pingOperation, PingReply } from './operation.js';
import { forgetUndeclaredErrors, undeclaredErrors } from './undeclared-errors.js';

const ProbeErrors = defineErrors({
  FULL: { code: 'PROBE.FULL', status: 409 },
  GONE: { code: 'PROBE.GONE', status: 410 },
});

class CountRequest {
  @IsInt()
  @Min(1)
  count: number;
}

class CountReply {
  count: number;
}

const ProbeOperations = {
  count: defineOperation({
    pattern: 'probe.count',
    summary: 'Counts.',
    request: CountRequest,
    reply: CountReply,
    errors: [ProbeErrors.FULL],
    idempotent: true,
    access: 'anyone',
  }),
  ping: pingOperation('probe'),
};
const probeContract = defineModuleContract({ name: 'probe', operations: ProbeOperations, events: {} });

/** `count` answers PROBE.FULL (declared) for 7 and PROBE.GONE (not declared) for 13. */
@MessageHandlers()
class ProbeHandlers {
  @Handles(ProbeOperations.count)
  count(@Payload() request: CountRequest): CountReply {
    if (request.count === 7) throw new DomainError(ProbeErrors.FULL, 'Full');
    if (request.count === 13) throw new DomainError(ProbeErrors.GONE, 'Gone');
    return { count: request.count };
  }

  @Handles(ProbeOperations.ping)
  ping(): PingReply {
    return { module: 'probe' };
  }
}

class ProbeClient extends ModuleClient {
  readonly count = this.call(ProbeOperations.count);
  readonly ping = this.call(ProbeOperations.ping);
}

const SETTINGS: BusSettings = {
  deadlineMs: 500,
  retries: 2,
  retryBackoffMs: 10,
  breakerErrorThresholdPercent: 50,
  breakerResetMs: 1000,
  breakerVolumeThreshold: 5,
};
/** One module, hosted here and reached in-process, as the topology reads it. */
const TOPOLOGY_VALUE: Topology = readTopology({ MODULES: 'probe', API: 'false' }, [
  { name: 'probe', defaultTcpPort: 1, calls: [], subscribes: [] },
]);

describe('@Handles and a ModuleClient, over the in-process bus', () => {
  let server: INestMicroservice;
  let strategy: InProcessServer;
  let client: ProbeClient;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeHandlers],
      providers: [ChannelRegistry, { provide: TOPOLOGY, useValue: TOPOLOGY_VALUE }, { provide: busConfig.KEY, useValue: SETTINGS }],
    }).compile();
    strategy = new InProcessServer(LOCAL_SERVER);
    server = moduleRef.createNestMicroservice({ strategy, logger: false });
    await server.listen();
    client = new ProbeClient(server.get(ChannelRegistry).channel('probe'));
  });

  afterAll(() => server.close());
  beforeEach(() => forgetUndeclaredErrors());

  it('reaches the handler registered for the declaration, with the declared request and reply', async () => {
    await expect(client.count({ count: 3 })).resolves.toEqual({ count: 3 });
    await expect(client.ping()).resolves.toEqual({ module: 'probe' });
  });

  it('lets a declared error and a conventional one (validation) pass without a record', async () => {
    expect(await rejection(client.count({ count: 7 }))).toMatchObject({ code: 'PROBE.FULL', status: 409 });
    expect(await rejection(client.count({ count: 0 }))).toMatchObject({ code: 'COMMON.VALIDATION_FAILED', status: 400 });
    expect(undeclaredErrors()).toEqual([]);
  });

  it('gives back what a handler returns as it is, not wrapped in an Observable', async () => {
    // Nothing between the transport and the handler (no interceptor) turns a plain value into a stream.
    const handler = strategy.getHandlerByPattern(ProbeOperations.count.pattern)!;
    const result: unknown = await handler({ count: 3 }, new InProcessContext([ProbeOperations.count.pattern, {}]));
    expect(isObservable(result)).toBe(false);
    expect(result).toEqual({ count: 3 });
  });

  it('records an undeclared error, and still answers it unchanged', async () => {
    expect(await rejection(client.count({ count: 13 }))).toMatchObject({ code: 'PROBE.GONE', status: 410, message: 'Gone' });
    expect(undeclaredErrors()).toEqual([{ pattern: 'probe.count', code: 'PROBE.GONE' }]);
  });
});

describe('registrationProblems', () => {
  it('finds nothing when every declared operation has exactly one handler registered with @Handles', () => {
    expect(registrationProblems(probeContract, [ProbeHandlers])).toEqual([]);
  });

  it('catches a handler for an undeclared pattern, a bare @MessagePattern, a second handler and a missing one', () => {
    const elsewhere = defineOperation({ ...ProbeOperations.count, pattern: 'probe.secret' });

    @MessageHandlers()
    class Planted {
      @Handles(elsewhere)
      secret(@Payload() request: CountRequest): CountReply {
        return request;
      }

      @MessagePattern('probe.raw')
      raw() {
        return {};
      }

      @Handles(ProbeOperations.ping)
      ping(): PingReply {
        return { module: 'probe' };
      }
    }

    expect(registrationProblems(probeContract, [ProbeHandlers, Planted])).toEqual([
      'Planted.secret handles probe.secret, which the probe contract does not declare',
      'Planted.raw handles probe.raw without a declaration (use @Handles(<operation>))',
      'Planted.ping handles probe.ping, already handled by ProbeHandlers.ping',
    ]);
    expect(registrationProblems(probeContract, [Planted])).toContain('probe.count is declared by probe but no handler serves it');
  });
});
