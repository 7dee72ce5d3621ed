import { Logger } from '@nestjs/common';
import { createSecretKey, randomBytes } from 'node:crypto';
import { registerSettings } from '../config/settings.source.js';
import { ConfigError } from '../config/settings.readers.js';

type Env = Record<string, string | undefined>;

/** HS256 keys shorter than the hash output weaken the signature (RFC 7518 section 3.2). */
export const MIN_SECRET_BYTES = 32;

/** Placeholder values that appear in examples and tutorials; a deployment using one has no secret at all. */
const PLACEHOLDERS = [
  'secret',
  'changeme',
  'change-me',
  'change_me',
  'default',
  'jwt-secret',
  'jwt_secret',
  'jwtsecret',
  'your-secret',
  'your_secret',
  'your-jwt-secret',
  'your_jwt_secret',
  'supersecret',
  'mysecret',
  'password',
  'test',
  'dev',
];

function isPlaceholder(secret: string): boolean {
  const s = secret.trim().toLowerCase();
  return PLACEHOLDERS.includes(s) || /change[-_ ]?me|replace[-_ ]?me|example/.test(s);
}

/** What a secret must carry at least, estimated from its own character frequencies (a random 32-byte key has 256 bits). */
export const MIN_SECRET_ENTROPY_BITS = 128;

/**
 * An upper estimate of a secret's entropy: its length times the Shannon entropy of its characters. A
 * repeated or patterned value scores low however long it is (40 identical characters: 0 bits).
 */
export function estimatedEntropyBits(secret: string): number {
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const length = [...secret].length;
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / length) * Math.log2(n / length);
  return perChar * length;
}

let generatedSecret: string | undefined;
const logger = new Logger('AuthSettings');

/**
 * One secret per process when none is configured, generated once and announced once. Tokens signed by
 * one process then fail in every other: a deployment of several processes must set JWT_SECRET.
 */
function generateSecret(): string {
  if (!generatedSecret) {
    generatedSecret = randomBytes(48).toString('base64url');
    logger.warn(
      'JWT_SECRET is not set: generated a random signing secret for this process. Tokens will not survive a restart ' +
        'and are not accepted by other processes; set JWT_SECRET (at least 32 bytes) for any shared or lasting deployment.',
    );
  }
  return generatedSecret;
}

function readSecret(env: Env): string {
  const raw = env.JWT_SECRET;
  const production = env.NODE_ENV?.trim() === 'production';
  if (raw === undefined || raw.trim() === '') {
    if (production)
      throw new ConfigError('JWT_SECRET', `must be set when NODE_ENV=production (a random value of at least ${MIN_SECRET_BYTES} bytes)`);
    return generateSecret();
  }
  const problem = isPlaceholder(raw)
    ? 'is a well-known placeholder value'
    : Buffer.byteLength(raw, 'utf8') < MIN_SECRET_BYTES
      ? `is shorter than ${MIN_SECRET_BYTES} bytes`
      : estimatedEntropyBits(raw) < MIN_SECRET_ENTROPY_BITS
        ? `looks far from random (about ${Math.floor(estimatedEntropyBits(raw))} bits; at least ${MIN_SECRET_ENTROPY_BITS} needed)`
        : undefined;
  if (problem && production) throw new ConfigError('JWT_SECRET', `${problem}; use a random value of at least ${MIN_SECRET_BYTES} bytes`);
  if (problem) logger.warn(`JWT_SECRET ${problem}; the process would refuse to start with it when NODE_ENV=production`);
  return raw;
}

function readText(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim() || fallback;
  if (!/^[\x21-\x7e]{1,200}$/.test(value)) throw new ConfigError(name, 'must be 1-200 printable characters without spaces');
  return value;
}

/**
 * What every process needs to check (and, in the auth core, sign) tokens: the shared HS256 key, kept as
 * a secret KeyObject so the JWT library never tries to parse it as a PEM public key, and the claims
 * policy (issuer, audience) every verification pins.
 */
export function readTokenSettings(env: Env) {
  const secret = readSecret(env);
  return {
    secret,
    key: createSecretKey(Buffer.from(secret, 'utf8')),
    issuer: readText(env, 'JWT_ISSUER', 'modular-monolith'),
    audience: readText(env, 'JWT_AUDIENCE', 'modular-monolith-api'),
  };
}

export type TokenSettings = ReturnType<typeof readTokenSettings>;

/** Token checking settings. */
export const tokenConfig = registerSettings('tokens', readTokenSettings);
