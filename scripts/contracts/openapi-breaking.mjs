// The breaking changes between two OpenAPI documents, by api-smart-diff's classification of every
// difference under `paths` (the components are compared through the operations that use them), read
// the way this API behaves where the library's generic rules say otherwise:
// - a request body property or a query parameter removed is breaking: the API refuses unknown fields
//   (COMMON.VALIDATION_FAILED), so a client that still sends it fails;
// - in a response, a changed `type` and a newly `nullable` value are breaking: the library classifies
//   response changes as the mirror of request ones, which holds for bounds and enums but not for these
//   (a reader of integers is not served by strings, nor a reader of a value by null).
import { apiDiff } from 'api-smart-diff';

const inResponse = (path) => path.includes('responses');
const inRequestBody = (path) => path.includes('requestBody');
const last = (path) => path[path.length - 1];
const parent = (path) => path[path.length - 2];

function breaking(diff) {
  const { path, action, type } = diff;
  if (inResponse(path) && last(path) === 'type' && action === 'replace') return true;
  if (inResponse(path) && last(path) === 'nullable' && diff.after === true) return true;
  if (inRequestBody(path) && parent(path) === 'properties' && action === 'remove') return true;
  if (path[3] === 'parameters' && path.length === 5 && action === 'remove') return true;
  return type === 'breaking';
}

const show = (value) => (value !== null && typeof value === 'object' ? '' : ` (${JSON.stringify(value)})`);
const ACTIONS = { add: 'added', remove: 'removed', replace: 'changed', rename: 'renamed' };

/** The parameter a path under `parameters` points at, by name. */
function parameterName(document, [, route, method, , index]) {
  const parameter = document?.paths?.[route]?.[method]?.parameters?.[index];
  return parameter?.name ?? parameter?.$ref?.split('/').pop() ?? `#${index}`;
}

/**
 * A difference in this API's words: the route, where in it (request body, response <status>,
 * parameter <name>), the field (`items[].quantity`) and what changed; the library's own description
 * where the path says no more.
 */
function describe(diff, before, after) {
  const [, route, method, ...rest] = diff.path;
  if (!method) return `openapi ${route}: ${diff.description}`;
  const operation = `openapi ${String(method).toUpperCase()} ${route}`;
  let where;
  let i;
  if (rest[0] === 'requestBody') [where, i] = ['request body', rest.indexOf('schema') + 1];
  else if (rest[0] === 'responses') [where, i] = [`response ${rest[1]}`, rest.indexOf('schema') + 1];
  else if (rest[0] === 'parameters')
    [where, i] = [`parameter ${parameterName(diff.action === 'add' ? after : before, diff.path)}`, rest.indexOf('schema') + 1];
  if (!where || i === 0) return `${operation}: ${diff.description || `${rest.join('.')} ${ACTIONS[diff.action]}`}`;
  const field = [];
  for (; i < rest.length; i++) {
    if (rest[i] === 'properties' && i + 1 < rest.length) field.push(rest[++i]);
    else if (rest[i] === 'items') field.push('[]');
    else break;
  }
  const keyword = rest.slice(i);
  const value = diff.action === 'remove' ? diff.before : diff.after;
  const name = field.join('.').replace(/\.\[\]/g, '[]');
  if (keyword[0] === 'required' && keyword.length === 2) {
    return (
      `${operation}: ${where} field ${[name, value].filter(Boolean).join('.')}: ` +
      `${diff.action === 'add' ? 'now required' : 'no longer required'}`
    );
  }
  if (keyword[0] === 'enum' && keyword.length === 2)
    return `${operation}: ${where} field ${name}: enum value ${ACTIONS[diff.action]}${show(value)}`;
  const change = diff.action === 'replace' ? ` (${JSON.stringify(diff.before)} -> ${JSON.stringify(diff.after)})` : show(value);
  return (
    `${operation}: ${where}${name ? ` field ${name}` : ''}: ` +
    `${keyword.length ? `${keyword.join('.')} ` : ''}${ACTIONS[diff.action]}${change}`
  );
}

/** Every change from `before` to `after` that breaks a client of `before`, each once, naming the route and the field. */
export function openApiBreakingChanges(before, after) {
  const found = apiDiff(before, after)
    .filter((d) => d.path[0] === 'paths' && breaking(d))
    .map((d) => describe(d, before, after));
  return [...new Set(found)];
}
