import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Values that follow one request through every hop; carried in packet metadata, never in payloads. */
export interface RequestContext {
  correlationId: string;
  /** The caller's credential as the gateway received it; each core verifies it again. */
  authorization?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const MetadataKeys = {
  CORRELATION_ID: 'correlation-id',
  AUTHORIZATION: 'authorization',
} as const;

export const RequestContextStore = {
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
  toMetadata(): Record<string, string> {
    const ctx = storage.getStore();
    const metadata: Record<string, string> = {};
    if (ctx?.correlationId) metadata[MetadataKeys.CORRELATION_ID] = ctx.correlationId;
    if (ctx?.authorization) metadata[MetadataKeys.AUTHORIZATION] = ctx.authorization;
    return metadata;
  },
  fromMetadata(metadata: Record<string, string> | undefined): RequestContext {
    return {
      correlationId: safeCorrelationId(metadata?.[MetadataKeys.CORRELATION_ID]),
      authorization: plainCredential(metadata?.[MetadataKeys.AUTHORIZATION]),
    };
  },
};

/** Metadata comes from the network: only a string of sane length can be a credential. */
function plainCredential(candidate: unknown): string | undefined {
  return typeof candidate === 'string' && candidate.length <= 8192 ? candidate : undefined;
}

/** Accepts a caller's id only if it is short and plain, so it can be logged and echoed safely. */
export function safeCorrelationId(candidate: unknown): string {
  return typeof candidate === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(candidate) ? candidate : randomUUID();
}
