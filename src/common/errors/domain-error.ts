/** An error's stable identity: the code clients branch on and the HTTP status it maps to. */
export interface ErrorDefinition {
  readonly code: string;
  readonly status: number;
}

/** What an error looks like on the bus (and inside a problem+json body): plain JSON, survives any transport. */
export interface ErrorBody {
  code: string;
  status: number;
  message: string;
  details?: unknown;
}

export function defineErrors<T extends Record<string, ErrorDefinition>>(defs: T): Readonly<T> {
  return Object.freeze(defs);
}

/**
 * The only error services throw. It carries a stable code, so it means the same thing after it has
 * crossed a process boundary, where `instanceof` no longer holds.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(
    definition: ErrorDefinition,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
    this.code = definition.code;
    this.status = definition.status;
  }

  static fromBody(body: ErrorBody): DomainError {
    return new DomainError(body, body.message, body.details);
  }

  static isBody(value: unknown): value is ErrorBody {
    const v = value as Partial<ErrorBody> | null;
    return (
      typeof v === 'object' && v !== null && typeof v.code === 'string' && typeof v.status === 'number' && typeof v.message === 'string'
    );
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, status: this.status, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}
