import { Controller, Get, Header, Headers, Inject, Ip, VERSION_NEUTRAL } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, register } from 'prom-client';
import { unauthenticated } from '../identity/token.verifier.js';
import { clusterMetrics, joinMetricsAggregation } from './cluster.metrics.js';
import { metricsConfig } from '../config/settings.js';
import { CommonErrors } from '../errors/common.errors.js';
import { DomainError } from '../errors/domain-error.js';

collectDefaultMetrics();
joinMetricsAggregation();

const digest = (text: string) => createHash('sha256').update(text).digest();
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Whether a scrape may read the metrics: with METRICS_TOKEN, only with that bearer token; without it,
 * only from the loopback interface (a client elsewhere is told there is no such route).
 */
export function checkMetricsAccess(token: string | undefined, clientIp: string, authorization: string | undefined): void {
  if (token === undefined) {
    if (!LOOPBACK.test(clientIp)) throw new DomainError(CommonErrors.ROUTE_NOT_FOUND, 'No route matches this method and path');
    return;
  }
  const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (presented === undefined || !timingSafeEqual(digest(presented), digest(token))) {
    throw unauthenticated('The metrics token is missing or wrong');
  }
}

/**
 * Prometheus exposition of prom-client's default registry (of every worker, when WORKERS > 1). (The Nest wrapper packages are CommonJS
 * that require Nest's ES modules, which only loads under Node's require(esm), not under jest.)
 */
@ApiExcludeController()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  private readonly token: string | undefined;

  constructor(@Inject(metricsConfig.KEY) settings: ConfigType<typeof metricsConfig>) {
    this.token = settings.token;
  }

  @Get()
  @Header('content-type', register.contentType)
  @Header('cache-control', 'no-store')
  metrics(@Ip() ip: string, @Headers('authorization') authorization?: string): Promise<string> {
    checkMetricsAccess(this.token, ip, authorization);
    // With several workers on one port, whichever answers reports all of them.
    return clusterMetrics() ?? register.metrics();
  }
}
