import 'reflect-metadata';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { closeEmbeddedDatabases, pgliteDriver } from './pglite.pool.js';

@Entity({ schema: 'pool_test', name: 'counters' })
class Counter {
  @PrimaryColumn('varchar')
  name: string;

  @Column('int')
  value: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('embedded database pool', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await new DataSource({ type: 'postgres', driver: pgliteDriver(undefined), entities: [Counter], synchronize: false }).initialize();
    await ds.query('CREATE SCHEMA pool_test');
    await ds.query('CREATE TABLE pool_test.counters (name varchar PRIMARY KEY, value int NOT NULL)');
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(async () => {
    await ds.query('TRUNCATE pool_test.counters');
    await ds.getRepository(Counter).insert({ name: 'c', value: 0 });
  });

  const valueOf = async (name = 'c') => (await ds.getRepository(Counter).findOneByOrFail({ name })).value;

  it('never interleaves two transactions that read, wait and write the same counter', async () => {
    const increment = () =>
      ds.transaction(async (m) => {
        const { value } = await m.findOneByOrFail(Counter, { name: 'c' });
        await sleep(5);
        await m.update(Counter, { name: 'c' }, { value: value + 1 });
      });
    await Promise.all(Array.from({ length: 8 }, increment));
    expect(await valueOf()).toBe(8);
  });

  it('makes a statement outside a transaction wait until the transaction has committed', async () => {
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    const tx = ds.transaction(async (m) => {
      await m.update(Counter, { name: 'c' }, { value: 1 });
      inside();
      await sleep(30);
      await m.update(Counter, { name: 'c' }, { value: 2 });
    });
    await started;
    // Had the read slipped in between the two updates, it would have seen 1.
    expect(await valueOf()).toBe(2);
    await tx;
  });

  it('rolls a failed transaction back and frees the database for the next caller', async () => {
    await expect(
      ds.transaction(async (m) => {
        await m.update(Counter, { name: 'c' }, { value: 99 });
        await m.insert(Counter, { name: 'd', value: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await valueOf()).toBe(0);
    expect(await ds.getRepository(Counter).countBy({ name: 'd' })).toBe(0);
  });

  it('rolls back a transaction whose statement fails in the database', async () => {
    await expect(
      ds.transaction(async (m) => {
        await m.update(Counter, { name: 'c' }, { value: 5 });
        await m.insert(Counter, { name: 'c', value: 1 });
      }),
    ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23505' }) });
    expect(await valueOf()).toBe(0);
  });

  it('reports how many rows an UPDATE or DELETE touched', async () => {
    const repo = ds.getRepository(Counter);
    await repo.insert([
      { name: 'd', value: 0 },
      { name: 'e', value: 5 },
    ]);
    expect((await repo.update({ value: 0 }, { value: 1 })).affected).toBe(2);
    expect((await repo.update({ name: 'missing' }, { value: 1 })).affected).toBe(0);
    expect((await repo.createQueryBuilder().update().set({ value: 7 }).where('value = :v', { v: 5 }).execute()).affected).toBe(1);
    expect((await repo.delete({ value: 1 })).affected).toBe(2);
    expect((await repo.delete({ name: 'missing' })).affected).toBe(0);
    expect(await repo.count()).toBe(1);
  });
});
