import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../runtime/embedded-postgres';

// Runs the real PGlite (WASM Postgres); the first start on an empty folder runs initdb (~10 s).
describe('embedded Postgres (PGlite + pglite-socket)', function () {
  this.timeout(120_000);

  let dataDir: string;
  let pg: EmbeddedPostgres | undefined;
  let db: Knex | undefined;

  // Embedded mode allows exactly one connection (see runtime/embedded-postgres.ts).
  const connect = (url: string): Knex => knexFactory({ client: 'pg', connection: url, pool: { min: 1, max: 1 } });

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'embedded-pg-test-'));
  });

  afterEach(async () => {
    await db?.destroy();
    db = undefined;
    await pg?.stop();
    pg = undefined;
  });

  after(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('keeps data across a stop and a new start on the same folder', async () => {
    const folder = path.join(dataDir, 'pgdata'); // does not exist yet: must be created
    pg = await startEmbeddedPostgres({ dataDir: folder, port: 0 });
    assert.ok(pg.port > 0);
    assert.match(pg.url, /^postgres:\/\/[^@]+@127\.0\.0\.1:\d+\//);

    db = connect(pg.url);
    await db.schema.createTable('widgets', (t) => {
      t.increments('id').primary();
      t.text('name').notNullable().unique();
      t.jsonb('attrs');
    });
    const inserted = await db('widgets')
      .insert({ name: 'sprocket', attrs: JSON.stringify({ size: 3 }) })
      .onConflict('name')
      .ignore()
      .returning('id');
    assert.equal(inserted.length, 1);

    await db.destroy();
    db = undefined;
    await pg.stop();
    await pg.stop(); // second stop is a no-op
    pg = undefined;

    pg = await startEmbeddedPostgres({ dataDir: folder, port: 0 });
    db = connect(pg.url);
    const rows = await db('widgets').select('name', 'attrs');
    assert.deepEqual(rows, [{ name: 'sprocket', attrs: { size: 3 } }]);
  });
});
