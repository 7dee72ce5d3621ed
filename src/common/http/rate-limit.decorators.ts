import { applyDecorators, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

const CREDENTIAL_ROUTE = 'rate-limit:credential-route';
const UNLIMITED_ROUTE = 'rate-limit:unlimited-route';

/** Marks the operations swagger.enrich.ts documents without a 429 answer or rate-limit headers. */
export const UNLIMITED_EXTENSION = 'x-rate-limited';

/**
 * Marks a route that tests a password or creates an account (register, login, password change): on top
 * of the general limit it counts against the client's credential budget and the account's.
 */
export const CredentialThrottle = () => SetMetadata(CREDENTIAL_ROUTE, true);

export const isCredentialRoute = (context: ExecutionContext) => Reflect.getMetadata(CREDENTIAL_ROUTE, context.getHandler()) === true;

/**
 * Marks routes (a controller or one handler) that no limit counts: health probes, which a platform may
 * call often from an address that also carries client traffic. They are never refused with 429 and
 * spend nobody's budget. The library's SkipThrottle names one limit at a time; this skips every limit.
 */
export const Unlimited = () => applyDecorators(SetMetadata(UNLIMITED_ROUTE, true), ApiExtension(UNLIMITED_EXTENSION, false));

export const isUnlimitedRoute = (context: ExecutionContext) =>
  [context.getHandler(), context.getClass()].some((target) => Reflect.getMetadata(UNLIMITED_ROUTE, target) === true);
