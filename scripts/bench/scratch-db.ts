/** A throw-away database on the local PostgreSQL server, created for one run and dropped after it. */
import crypto from 'node:crypto';
import knexFactory from 'knex';

export const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** `prefix` names the benchmark that owns the database (a leftover says who left it). */
export async function createScratchDatabase(adminUrl = ADMIN_DATABASE_URL, prefix = 'rhs_bench'): Promise<ScratchDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`invalid database name prefix ${prefix}`);
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = () => knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  const creator = admin();
  try {
    await creator.raw(`create database ${name}`);
  } finally {
    await creator.destroy();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = admin();
      try {
        await dropper.raw(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.destroy();
      }
    },
  };
}
