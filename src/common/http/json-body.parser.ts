import type { FastifyInstance } from 'fastify';
import { CommonErrors } from '../errors/common.errors.js';
import { DomainError } from '../errors/domain-error.js';
import { inputProblemError, inspectInput } from '../validation/input.limits.js';

/**
 * The only body parser: JSON, at most `bodyLimit` bytes, checked against INPUT_LIMITS as soon as it is
 * decoded, so a hostile body is refused before routing-level code (guards, pipes, loggers) walks it.
 * Other media types stay unparsed and are answered 415.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, text, done) => {
    if (typeof text !== 'string' || text.trim() === '') {
      return done(new DomainError(CommonErrors.MALFORMED_REQUEST, 'The JSON body is empty'), undefined);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return done(new DomainError(CommonErrors.MALFORMED_REQUEST, 'The body is not valid JSON'), undefined);
    }
    const problem = inspectInput(value);
    if (problem) return done(inputProblemError(problem), undefined);
    done(null, value);
  });
}
