import { checkMetricsAccess } from './metrics.controller.js';

const refusal = (run: () => void) => {
  try {
    run();
  } catch (err) {
    return err as { code: string; status: number };
  }
  return undefined;
};

describe('who may read /metrics', () => {
  it('without METRICS_TOKEN: loopback clients only; anyone else is told there is no such route', () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1'])
      expect(refusal(() => checkMetricsAccess(undefined, ip, undefined))).toBeUndefined();
    for (const ip of ['10.0.0.5', '::ffff:192.168.1.2', '2001:db8::1']) {
      expect(refusal(() => checkMetricsAccess(undefined, ip, undefined))).toMatchObject({ code: 'COMMON.ROUTE_NOT_FOUND', status: 404 });
    }
  });

  it('with METRICS_TOKEN: that bearer token from anywhere, nothing else even from loopback', () => {
    const token = 'scrape-token-0123456789';
    expect(refusal(() => checkMetricsAccess(token, '10.0.0.5', `Bearer ${token}`))).toBeUndefined();
    for (const authorization of [undefined, `Bearer ${token}x`, token, `Basic ${token}`]) {
      expect(refusal(() => checkMetricsAccess(token, '127.0.0.1', authorization))).toMatchObject({
        code: 'AUTH.UNAUTHENTICATED',
        status: 401,
      });
    }
  });
});
