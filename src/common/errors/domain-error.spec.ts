import { BusErrors, CommonErrors } from './common.errors.js';
import { DomainError } from './domain-error.js';

describe('DomainError', () => {
  it('carries the code and status of its definition', () => {
    const err = new DomainError(BusErrors.TIMEOUT, 'too slow');
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'DomainError', code: 'BUS.TIMEOUT', status: 504, message: 'too slow' });
  });

  it('survives a JSON round trip through its body, details included', () => {
    const original = new DomainError(CommonErrors.VALIDATION_FAILED, 'bad input', [{ field: 'email', messages: ['x'] }]);
    const body = JSON.parse(JSON.stringify(original.toBody()));
    expect(body).toEqual({
      code: 'COMMON.VALIDATION_FAILED',
      status: 400,
      message: 'bad input',
      details: [{ field: 'email', messages: ['x'] }],
    });
    expect(DomainError.isBody(body)).toBe(true);
    const back = DomainError.fromBody(body);
    expect(back).toBeInstanceOf(DomainError);
    expect(back.toBody()).toEqual(body);
  });

  it('leaves details out of the body when there are none', () => {
    expect(new DomainError(BusErrors.UNAVAILABLE, 'down').toBody()).toEqual({ code: 'BUS.UNAVAILABLE', status: 503, message: 'down' });
  });

  it.each([
    ['null', null],
    ['a string', 'BUS.TIMEOUT'],
    ['an Error', new Error('x')],
    ['a body without status', { code: 'A', message: 'b' }],
    ['a body with a string status', { code: 'A', status: '500', message: 'b' }],
    ['a body without message', { code: 'A', status: 500 }],
  ])('does not take %s for a body', (_case, value) => {
    expect(DomainError.isBody(value)).toBe(false);
  });
});
