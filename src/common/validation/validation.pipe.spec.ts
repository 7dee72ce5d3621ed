import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsEmail, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { DomainError } from '../errors/domain-error.js';
import { createValidationPipe } from './validation.pipe.js';

class Line {
  @IsString()
  sku: string;

  @IsInt()
  @Min(1)
  quantity: number;
}

class Basket {
  @IsString()
  owner: string;

  @IsOptional()
  @IsEmail()
  email?: string;

  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => Line)
  lines: Line[];
}

const body: ArgumentMetadata = { type: 'body', metatype: Basket };

async function failure(value: unknown): Promise<DomainError> {
  try {
    await createValidationPipe().transform(value, body);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected the pipe to refuse the value');
}

describe('validation pipe', () => {
  it('passes a valid value through as an instance of the declared class', async () => {
    const value = await createValidationPipe().transform({ owner: 'ada', lines: [{ sku: 'A', quantity: 2 }] }, body);
    expect(value).toBeInstanceOf(Basket);
    expect(value.lines[0]).toBeInstanceOf(Line);
  });

  it('refuses an unknown field', async () => {
    const err = await failure({ owner: 'ada', lines: [{ sku: 'A', quantity: 1 }], admin: true });
    expect(err.code).toBe('COMMON.VALIDATION_FAILED');
    expect(err.status).toBe(400);
    expect(err.details).toEqual([{ field: 'admin', messages: ['property admin should not exist'] }]);
  });

  it.each([
    ['toString'],
    ['valueOf'],
    ['hasOwnProperty'],
    ['isPrototypeOf'],
    ['__defineGetter__'],
    ['__lookupGetter__'],
    ['prototype'],
    ['constructor'],
    ['__proto__'],
  ])(
    'refuses a key named %s like any unknown field, at the top and in an item, though the transformer would drop it unseen',
    async (key) => {
      const value = JSON.parse(`{"owner":"ada","${key}":1,"lines":[{"sku":"A","quantity":1,"${key}":"x"}]}`);
      const err = await failure(value);
      expect({ code: err.code, status: err.status }).toEqual({ code: 'COMMON.VALIDATION_FAILED', status: 400 });
      expect(err.details).toEqual(
        expect.arrayContaining([
          { field: key, messages: [`property ${key} should not exist`] },
          { field: `lines.0.${key}`, messages: [`property ${key} should not exist`] },
        ]),
      );
      expect(err.details).toHaveLength(2);
    },
  );

  it('flattens nested item errors into field paths', async () => {
    const err = await failure({
      owner: 7,
      lines: [
        { sku: 'A', quantity: 1 },
        { sku: 3, quantity: 0, extra: 1 },
      ],
    });
    expect(err.code).toBe('COMMON.VALIDATION_FAILED');
    expect(err.status).toBe(400);
    const details = err.details as Array<{ field: string; messages: string[] }>;
    expect(details.map((d) => d.field).sort()).toEqual(['lines.1.extra', 'lines.1.quantity', 'lines.1.sku', 'owner']);
    expect(details.find((d) => d.field === 'lines.1.quantity')!.messages).toEqual(['quantity must not be less than 1']);
  });

  it('refuses a value that is not an object', async () => {
    const err = await failure('a string');
    expect(err.code).toBe('COMMON.VALIDATION_FAILED');
    expect(err.status).toBe(400);
  });

  it('refuses nesting deeper than the limit as MALFORMED_REQUEST before the transformer recurses into it', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    const err = await failure({ owner: 'ada', lines: [{ sku: 'A', quantity: 1, extra: deep }] });
    expect({ code: err.code, status: err.status }).toEqual({ code: 'COMMON.MALFORMED_REQUEST', status: 400 });
  });

  it('refuses a NUL character in any string, naming the field', async () => {
    const err = await failure({ owner: 'ada', lines: [{ sku: 'A\u0000', quantity: 1 }] });
    expect({ code: err.code, status: err.status }).toEqual({ code: 'COMMON.VALIDATION_FAILED', status: 400 });
    expect(err.details).toEqual([{ field: 'lines.0.sku', messages: ['lines.0.sku must not contain NUL characters'] }]);
  });

  it('refuses a lone UTF-16 surrogate before a validator can throw on it', async () => {
    const err = await failure({ owner: 'ada', email: 'ada\ud800@example.com', lines: [{ sku: 'A', quantity: 1 }] });
    expect({ code: err.code, status: err.status }).toEqual({ code: 'COMMON.VALIDATION_FAILED', status: 400 });
    expect(err.details).toEqual([{ field: 'email', messages: ['email must be valid Unicode text'] }]);
  });
});
