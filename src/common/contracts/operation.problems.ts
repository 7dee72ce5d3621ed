import { ApiProblems, BUS_PROBLEMS, RATE_PROBLEMS } from '../http/problem.js';
import { answerableErrors, type Operation } from './operation.js';

export interface RouteProblems {
  /**
   * Codes of the operation this route can never meet, each with the reason (the route fills the field
   * the check is about itself, or takes only tokens the check would refuse).
   */
  readonly never?: Readonly<Record<string, string>>;
}

/**
 * The problem responses of an HTTP route that calls `operation`: every code the operation may answer
 * (its declaration plus the conventional ones), what the bus adds on the way (BUS.*) and the rate
 * limit every route has, grouped by status. Derived, so the route documents what the core declares.
 */
export function operationProblems(operation: Operation<any, any>, route: RouteProblems = {}): Record<number, string[]> {
  const byStatus: Record<number, string[]> = {};
  const add = (status: number, code: string) => {
    const codes = (byStatus[status] ??= []);
    if (!codes.includes(code)) codes.push(code);
  };
  for (const { code, status } of answerableErrors(operation)) if (!route.never?.[code]) add(status, code);
  for (const [status, codes] of Object.entries({ ...RATE_PROBLEMS, ...BUS_PROBLEMS })) for (const code of codes) add(Number(status), code);
  return byStatus;
}

/** Documents a route's problem+json responses from the operation it calls (see `operationProblems`). */
export const ApiOperationProblems = (operation: Operation<any, any>, route?: RouteProblems) =>
  ApiProblems(operationProblems(operation, route));
