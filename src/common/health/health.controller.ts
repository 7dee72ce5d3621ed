import { Controller, Get, Inject, Res, ServiceUnavailableException, VERSION_NEUTRAL } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import type { Topology } from '../config/topology.js';
import { TOPOLOGY } from '../config/topology.module.js';
import { EventsRegistry } from '../events/events.registry.js';
import { Unlimited } from '../http/rate-limit.decorators.js';
import { ShutdownState } from '../lifecycle/shutdown.state.js';
import { ChannelRegistry } from '../messaging/channel.registry.js';
import { moduleReachable } from '../observability/metrics.instruments.js';
import {
  HealthCheckResult,
  HealthReport,
  MAX_CHECK_MESSAGE_LENGTH,
  NOT_READY_EXAMPLE,
  OutboxState,
  READY_EXAMPLE,
} from './health.report.js';

const PROBE_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** Why a check is down, as the report states it: the error's text, cut to the documented length. */
const downMessage = (err: unknown): string => String((err as Error)?.message ?? err).slice(0, MAX_CHECK_MESSAGE_LENGTH);

@ApiTags('health')
@ApiExtraModels(HealthCheckResult, OutboxState)
// Probes must never be refused with 429, nor spend the budget of the address they come from.
@Unlimited()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
    private readonly channels: ChannelRegistry,
    @Inject(TOPOLOGY) private readonly topology: Topology,
    private readonly events: EventsRegistry,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @ApiOperation({
    summary: 'The process is up and its event loop answers',
    description: 'Checks nothing else: use it as a liveness probe.',
  })
  @ApiOkResponse({ description: 'Alive', type: HealthReport, example: { status: 'ok', info: {}, error: {}, details: {} } })
  @ApiServiceUnavailableResponse({ description: 'The process is shutting down', type: HealthReport, example: { status: 'shutting_down' } })
  // Documented here rather than by terminus, whose generated schema depends on how the package is loaded.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({
    summary: "What this process owns answers: its modules' databases and listeners",
    description:
      'Fails (503) only for what this process owns, so processes that call each other never hold each other unready. ' +
      'Modules this process calls in other processes are reported under `remote` (and in the `module_reachable` metric), ' +
      'and the outbox of each hosted module under `events` (`parked` events need a replay), without failing the check.',
  })
  @ApiOkResponse({ description: 'Every check is up', type: HealthReport, example: READY_EXAMPLE })
  @ApiServiceUnavailableResponse({
    description: 'At least one check is down; `error` says which',
    type: HealthReport,
    example: NOT_READY_EXAMPLE,
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    if (this.shutdown.leaving) {
      reply.status(503);
      return { status: 'shutting_down', info: {}, error: {}, details: {} };
    }
    const remote = this.topology.calls.filter((name) => !this.topology.hosted.includes(name));
    const [report, reachable, events] = await Promise.all([
      this.owned(),
      Promise.all(remote.map((name) => this.bus(name))),
      // A database that does not answer is reported by its own check above. The counts read capped
      // partial indexes, so they cost the same at any table size; the timeout bounds a slow database.
      withTimeout(this.events.counts(), PROBE_TIMEOUT_MS).catch(() => ({})),
    ]);
    for (const [i, name] of remote.entries()) moduleReachable.set({ module: name }, reachable[i][`${name}-bus`].status === 'up' ? 1 : 0);
    if (report.status !== 'ok') reply.status(503);
    return { ...report, remote: Object.assign({}, ...reachable), events };
  }

  /** The databases of the hosted modules, and each hosted module's own listener (pinged over its transport). */
  private async owned(): Promise<Record<string, unknown>> {
    try {
      return (await this.health.check([
        ...this.topology.hosted.filter((name) => this.dataSource(name)).map((name) => () => this.database(name)),
        ...this.topology.hosted.map((name) => () => this.bus(name)),
      ])) as unknown as Record<string, unknown>;
    } catch (err) {
      // Terminus reports "not ready" as an exception; its body is the report a probe or operator needs.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      return err.getResponse() as Record<string, unknown>;
    }
  }

  private async database(name: string): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(`${name}-database`);
    try {
      await withTimeout(this.dataSource(name)!.query('SELECT 1'), PROBE_TIMEOUT_MS);
      return check.up();
    } catch (err) {
      return check.down({ message: downMessage(err) });
    }
  }

  /** The module core's data source; undefined for a module that keeps no data. */
  private dataSource(name: string): DataSource | undefined {
    try {
      return this.moduleRef.get<DataSource>(getDataSourceToken(name), { strict: false });
    } catch {
      return undefined;
    }
  }

  private async bus(name: string): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(`${name}-bus`);
    const channel = this.channels.channel(name);
    try {
      await withTimeout(channel.send(`${name}.ping`, {}), PROBE_TIMEOUT_MS);
      return check.up({ transport: this.topology.modules[name].transport });
    } catch (err) {
      return check.down({ transport: this.topology.modules[name].transport, message: downMessage(err) });
    }
  }
}
