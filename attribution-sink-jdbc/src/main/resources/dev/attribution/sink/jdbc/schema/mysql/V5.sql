-- Usage table, version 5, for MySQL 8 / MariaDB: daily rollups the sink keeps beside the usage table, so the
-- weekly review (attribution-report) sums rollup rows instead of every call. A rollup row holds the
-- calls of one day (in the zone recorded in ${table}_daily_zone) that share a key; k is a hash of the
-- key columns (the key itself can be longer than an index allows). The sink adds each batch's calls
-- in the batch's own transaction, counting only the calls it inserted, so a replayed record is never
-- counted twice. The migration fills them from the rows already there. Every statement is idempotent.
CREATE TABLE IF NOT EXISTS ${table}_daily_zone (
  zone varchar(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS ${table}_daily (
  epoch_day integer NOT NULL,
  k char(32) CHARACTER SET ascii NOT NULL,
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
  cost_total decimal(30,9),
  cost_input decimal(30,9),
  cost_cached_input decimal(30,9),
  cost_cache_write decimal(30,9),
  cost_output decimal(30,9),
  cost_reasoning decimal(30,9),
  cost_tools decimal(30,9),
  cost_other decimal(30,9),
  charge_total decimal(30,9),
  priced_calls bigint NOT NULL,
  charged_calls bigint NOT NULL,
  charged_cost decimal(30,9),
  max_budget_percent decimal(30,9),
  PRIMARY KEY (epoch_day, k)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS ${table}_daily_thread (
  epoch_day integer NOT NULL,
  k char(32) CHARACTER SET ascii NOT NULL,
  thread_id varchar(128),
  calls bigint NOT NULL,
  priced_calls bigint NOT NULL,
  cost_total decimal(30,9),
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  PRIMARY KEY (epoch_day, k)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS ${table}_daily_user (
  epoch_day integer NOT NULL,
  k char(32) CHARACTER SET ascii NOT NULL,
  user_id varchar(128),
  calls bigint NOT NULL,
  priced_calls bigint NOT NULL,
  cost_total decimal(30,9),
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  PRIMARY KEY (epoch_day, k)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
