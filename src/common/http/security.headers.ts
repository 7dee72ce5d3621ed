import helmet from 'helmet';

/** One helmet configuration for every answer, including those written before any hook runs. */
export const HELMET_OPTIONS = {
  // The Swagger UI at /docs loads its own scripts and inline styles.
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
      scriptSrc: ["'self'", "'unsafe-inline'"],
    },
  },
};

/**
 * The headers helmet sets with HELMET_OPTIONS, as a fixed list: the router's and the HTTP parser's
 * refusals are written before any hook runs (some straight to the socket), and carry them too.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = (() => {
  const headers: Record<string, string> = {};
  const sink = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(HELMET_OPTIONS)({} as never, sink as never, () => undefined);
  return Object.freeze(headers);
})();
