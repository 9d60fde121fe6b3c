/**
 * Seeds the scratch database set-based: a few INSERT ... SELECT over generate_series, never a row at
 * a time from Node, so a million requests take seconds of PostgreSQL rather than minutes of round trips.
 *
 * The shape is meant to look like a real year: contracts vary (included interventions, billing mode,
 * price, currency); requests are CLOSED with closed_at uniform within each month (as many per month), written in time order, each month cut in the
 * billing time zone; clients are skewed. A fifth of the clients are "light" (about 2.5 interventions a
 * month, so mostly under the 5 included and not billable); the others follow a power law (client k of H
 * gets a share proportional to 1/sqrt(k)), so most are well above 5 and a few have hundreds a month.
 */
import type { Db } from '../../db/connection';

export interface SeedPlan {
  requests: number;
  clients: number;
  months: number;
  /** The first seeded period (YYYY-MM); the others follow it. */
  firstPeriod: string;
  timeZone: string;
}

export interface SeedResult {
  seconds: { clients: number; requests: number; analyze: number; total: number };
  lightClients: number;
  lightShare: number;
}

/** Mean interventions a month of a light client. */
const LIGHT_MEAN_PER_MONTH = 2.5;

export const clientId = (n: number) => `bench-c-${String(n).padStart(6, '0')}`;

export async function seed(db: Db, plan: SeedPlan, log: (message: string) => void): Promise<SeedResult> {
  const started = performance.now();
  const lightClients = Math.floor(plan.clients / 5);
  const heavyClients = plan.clients - lightClients;
  // The light clients' share of the requests; capped so a tiny --requests still leaves most to the others.
  const lightShare = Math.min(0.5, (lightClients * LIGHT_MEAN_PER_MONTH * plan.months) / plan.requests);

  // Ids sort in creation order ('bench-c-000001'...), as the extraction and the review pages walk them.
  await db.raw(
    `insert into clients (id, code, name, included_interventions, billing_mode, unit_price_minor, currency)
     select 'bench-c-' || lpad(n::text, 6, '0'), 'BENCH-' || lpad(n::text, 6, '0'), 'Bench client ' || n,
            case n % 10 when 0 then 0 when 1 then 10 when 2 then 20 else 5 end,
            case when n % 7 = 0 then 'all' else 'excess' end,
            1500 + (n % 20) * 250,
            case when n % 11 = 0 then 'EUR' when n % 13 = 0 then 'ARS' else 'USD' end
       from generate_series(1, ?::int) n`,
    [plan.clients],
  );
  const clientsDone = performance.now();
  log(`seeded ${plan.clients} clients (${lightClients} light)`);

  // One INSERT per month, its rows written in closing order: the heap then follows time as it does
  // when requests are filed and closed day after day, rather than a year shuffled across every page.
  let from = 1;
  for (let month = 0; month < plan.months; month += 1) {
    const count = Math.floor(plan.requests / plan.months) + (month < plan.requests % plan.months ? 1 : 0);
    const to = from + count - 1;
    await db.raw(
      `insert into requests (id, number, client_id, status, site, summary, instructions, priority, filed_by, executed_by, closure,
                             version, created_at, validated_at, execution_started_at, executed_at, closed_at, ended_at, updated_at)
       select 'bench-r-' || lpad(g::text, 8, '0'), 'B-' || lpad(g::text, 8, '0'), 'bench-c-' || lpad(c.n::text, 6, '0'), 'CLOSED',
              'DC-' || (1 + g % 7), 'Bench intervention ' || g, 'Replace the failed part.',
              (array['low', 'normal', 'high', 'urgent'])[1 + g % 4], 'bench-user', 'bench-operator', 'conformity',
              9, t.closed_at - t.lead, t.closed_at - t.lead + interval '10 minutes', t.closed_at - t.lead + interval '1 hour',
              t.closed_at - interval '10 minutes', t.closed_at, t.closed_at, t.closed_at
         from (select g, random() as pick, random() as which, random() as instant, random() as lead
                 from generate_series(?::int, ?::int) g) r
         cross join lateral (
           select case when r.pick < ?::float8 then ?::int + 1 + floor(r.which * ?::int)::int   -- light: uniform
                       else 1 + floor(?::int * power(r.which, 2))::int                           -- heavy: density ~ 1/sqrt(k)
                  end as n) c
         cross join lateral (
           -- The month's local bounds, turned into instants in the billing time zone.
           select (to_date(?, 'YYYY-MM') + make_interval(months => ?::int))::timestamp as local_start) m
         cross join lateral (
           select ((m.local_start + r.instant * ((m.local_start + interval '1 month') - m.local_start)) at time zone ?) as closed_at,
                  interval '1 hour' + r.lead * interval '71 hours' as lead) t
        order by t.closed_at`,
      [from, to, lightShare, heavyClients, lightClients, heavyClients, plan.firstPeriod, month, plan.timeZone],
    );
    from = to + 1;
    log(`  requests ${to.toLocaleString('en')} / ${plan.requests.toLocaleString('en')}`);
  }
  const requestsDone = performance.now();
  // What autovacuum would have done long before a month is billed: statistics and the visibility map.
  await db.raw('vacuum analyze clients');
  await db.raw('vacuum analyze requests');
  const analyzed = performance.now();
  const s = (a: number, b: number) => Math.round((b - a) / 10) / 100;
  return {
    seconds: { clients: s(started, clientsDone), requests: s(clientsDone, requestsDone), analyze: s(requestsDone, analyzed), total: s(started, analyzed) },
    lightClients,
    lightShare: Math.round(lightShare * 10_000) / 10_000,
  };
}

/** What the seeded period looks like: clients with interventions, and how many are under the included 5. */
export async function periodShape(db: Db, bounds: { start: Date; end: Date }): Promise<{ interventions: number; clients: number; underFive: number; maxPerClient: number }> {
  const { rows } = await db.raw<{ rows: { interventions: number; clients: number; under_five: number; max_per_client: number }[] }>(
    `select coalesce(sum(n), 0)::int as interventions, count(*)::int as clients, count(*) filter (where n < 5)::int as under_five,
            coalesce(max(n), 0)::int as max_per_client
       from (select client_id, count(*) as n from requests
              where status = 'CLOSED' and closed_at >= ? and closed_at < ? group by client_id) x`,
    [bounds.start, bounds.end],
  );
  const row = rows[0];
  return { interventions: row.interventions, clients: row.clients, underFive: row.under_five, maxPerClient: row.max_per_client };
}
