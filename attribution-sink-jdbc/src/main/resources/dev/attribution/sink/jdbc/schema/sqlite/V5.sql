-- Usage table, version 5, for SQLite (money as INTEGER billionths): daily rollups the sink keeps beside the usage table, so the
-- weekly review (attribution-report) sums rollup rows instead of every call. A rollup row holds the
-- calls of one day (in the zone recorded in ${table}_daily_zone) that share a key; k is a hash of the
-- key columns (the key itself can be longer than an index allows). The sink adds each batch's calls
-- in the batch's own transaction, counting only the calls it inserted, so a replayed record is never
-- counted twice. The migration fills them from the rows already there. Every statement is idempotent.
-- SQLite turns an integer sum past 2^63 into an inexact REAL: the CHECKs make such an upsert fail
-- (the sink then keeps the calls without their rollups, and the review reads the calls).
CREATE TABLE IF NOT EXISTS ${table}_daily_zone (
  zone varchar(64) NOT NULL
);
CREATE TABLE IF NOT EXISTS ${table}_daily (
  epoch_day integer NOT NULL,
  k text NOT NULL,
  tenant_id varchar(128),
  feature varchar(128),
  model varchar(255),
  provider varchar(64),
  status varchar(32),
  budget_action varchar(32),
  budget_name varchar(128),
  cost_source varchar(32),
  currency varchar(3),
  price_version varchar(128),
  calls bigint NOT NULL,
  input_tokens bigint NOT NULL,
  cached_input_tokens bigint NOT NULL,
  cache_write_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  cost_total integer CHECK (typeof(cost_total) <> 'real'),
  cost_input integer CHECK (typeof(cost_input) <> 'real'),
  cost_cached_input integer CHECK (typeof(cost_cached_input) <> 'real'),
  cost_cache_write integer CHECK (typeof(cost_cache_write) <> 'real'),
  cost_output integer CHECK (typeof(cost_output) <> 'real'),
  cost_reasoning integer CHECK (typeof(cost_reasoning) <> 'real'),
  cost_tools integer CHECK (typeof(cost_tools) <> 'real'),
  cost_other integer CHECK (typeof(cost_other) <> 'real'),
  charge_total integer CHECK (typeof(charge_total) <> 'real'),
  priced_calls bigint NOT NULL,
  charged_calls bigint NOT NULL,
  charged_cost integer CHECK (typeof(charged_cost) <> 'real'),
  max_budget_percent integer,
  PRIMARY KEY (epoch_day, k)
);
CREATE TABLE IF NOT EXISTS ${table}_daily_thread (
  epoch_day integer NOT NULL,
  k text NOT NULL,
  thread_id varchar(128),
  calls bigint NOT NULL,
  priced_calls bigint NOT NULL,
  cost_total integer CHECK (typeof(cost_total) <> 'real'),
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  PRIMARY KEY (epoch_day, k)
);
CREATE TABLE IF NOT EXISTS ${table}_daily_user (
  epoch_day integer NOT NULL,
  k text NOT NULL,
  user_id varchar(128),
  calls bigint NOT NULL,
  priced_calls bigint NOT NULL,
  cost_total integer CHECK (typeof(cost_total) <> 'real'),
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  PRIMARY KEY (epoch_day, k)
);
