import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

const MODULE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const EVENT_NAME = /^[a-z][a-z0-9-]{0,62}\.[a-z][a-z0-9-]{0,62}$/;

/**
 * One event as it travels: who produced it, about which aggregate (events of one aggregate are applied
 * in order), when, and its plain-JSON payload, declared in the producer's contracts.
 */
export interface EventEnvelope<P = Record<string, unknown>> {
  id: string;
  /** `<producer>.<event>`, e.g. `users.user-deleted`. */
  name: string;
  producer: string;
  aggregateId: string;
  occurredAt: string;
  payload: P;
}

export class EventEnvelopeMessage implements EventEnvelope {
  @IsUUID('all')
  id: string;

  @IsString()
  @Matches(EVENT_NAME)
  name: string;

  @IsString()
  @Matches(MODULE_NAME)
  producer: string;

  @IsString()
  @MaxLength(128)
  aggregateId: string;

  @IsISO8601({ strict: true })
  occurredAt: string;

  @IsObject()
  payload: Record<string, unknown>;
}

/** A producer's relay hands a consumer one event; the reply is the acknowledgement. */
export class DeliverRequest {
  @ValidateNested()
  @Type(() => EventEnvelopeMessage)
  event: EventEnvelopeMessage;
}

export type ApplyOutcome = 'applied' | 'duplicate';

export interface DeliverReply {
  outcome: ApplyOutcome;
}

/** A consumer asks its producer for the next events addressed to it, waiting up to `waitMs` for one. */
export class FetchRequest {
  @IsString()
  @Matches(MODULE_NAME)
  consumer: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number;

  @IsInt()
  @Min(0)
  @Max(30_000)
  waitMs: number;
}

export interface FetchReply {
  events: EventEnvelope[];
}

export const RESULT_OUTCOMES = ['applied', 'duplicate', 'failed', 'skipped'] as const;
export type ResultOutcome = (typeof RESULT_OUTCOMES)[number];

export class DeliveryResult {
  @IsUUID('all')
  eventId: string;

  @IsIn(RESULT_OUTCOMES)
  outcome: ResultOutcome;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  error?: string;
}

/** A consumer tells its producer what became of the events it fetched. */
export class AckRequest {
  @IsString()
  @Matches(MODULE_NAME)
  consumer: string;

  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => DeliveryResult)
  results: DeliveryResult[];
}

/** The three patterns every module core with events serves, named after the module. */
export function eventPatterns(module: string) {
  return {
    /** DeliverRequest -> DeliverReply: an event for this module, from its producer's relay. */
    deliver: `${module}.events.deliver`,
    /** FetchRequest -> FetchReply: events this module produced, for a consumer that fetches. */
    fetch: `${module}.events.fetch`,
    /** AckRequest -> { recorded: number }: a fetching consumer's outcomes. */
    ack: `${module}.events.ack`,
  };
}
