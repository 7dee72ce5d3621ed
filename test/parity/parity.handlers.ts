import { Module } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { MessageHandlers } from '../../src/common/messaging/message-handlers.decorator.js';

export const PARITY_DATE = new Date('2026-03-04T05:06:07.089Z');

class Money {
  constructor(
    readonly cents: number,
    readonly currency: string,
  ) {}

  get formatted(): string {
    return `${(this.cents / 100).toFixed(2)} ${this.currency}`;
  }

  toString(): string {
    return this.formatted;
  }
}

/** A reply full of values JSON cannot carry as they are; both transports must change it identically. */
export function awkwardReply() {
  return {
    at: PARITY_DATE,
    price: new Money(1999, 'EUR'),
    tags: new Set(['a', 'b']),
    index: new Map([['k', 1]]),
    missing: undefined,
    notANumber: NaN,
    infinite: -Infinity,
    nested: [[1, [2, [undefined, PARITY_DATE]]], [], [{ deep: { deeper: [null, undefined] } }]],
    text: 'ünïcødé ✓ "quoted" \\ \n',
    big: Number.MAX_SAFE_INTEGER,
    negativeZero: -0,
  };
}

let releaseSlow: (() => void) | undefined;

/** Lets a 'parity.slow' call that is still waiting finish, so no handler outlives its app. */
export function releaseSlowCalls(): void {
  releaseSlow?.();
}

/** Handlers that exist only in the parity suite's app, to probe the transports themselves. */
@MessageHandlers()
export class ParityHandlers {
  @MessagePattern('parity.echo')
  echo() {
    return awkwardReply();
  }

  @MessagePattern('parity.void')
  async nothing(): Promise<void> {}

  @MessagePattern('parity.slow')
  async slow() {
    await new Promise<void>((resolve) => {
      releaseSlow = resolve;
      setTimeout(resolve, 5000).unref();
    });
    return { late: true };
  }
}

@Module({ controllers: [ParityHandlers] })
export class ParityModule {}
