-- Usage table, version 4, for SQLite: an unknown operation is NULL, not the sentinel 'unknown'.
-- SQLite cannot drop a NOT NULL constraint in place, so the table is rebuilt as version 2 did: copied
-- into a new one, the sentinel turned NULL, the old one dropped, the new one renamed and every index
-- of versions 1 and 3 recreated. The copy can take the columns in order (SELECT *) because version
-- 2's rebuild left them in exactly this order. The migration runs in one transaction, so a crash
-- leaves version 3 intact.
DROP TABLE IF EXISTS ${table}_v4;
CREATE TABLE ${table}_v4 (
  id text NOT NULL PRIMARY KEY,
  started_at text NOT NULL,
  ended_at text NOT NULL,
  tenant_id varchar(128),
  user_id varchar(128),
  assistant_id varchar(128),
  thread_id varchar(128),
  feature varchar(128),
  traffic_class varchar(128),
  tags text,
  context_source varchar(32) NOT NULL,
  provider varchar(64),
  operation varchar(64),
  server_host varchar(255),
  requested_model varchar(255),
  effective_model varchar(255),
  response_model varchar(255),
  route varchar(128),
  route_rule varchar(128),
  streaming integer NOT NULL,
  attempt integer NOT NULL,
  status varchar(32) NOT NULL,
  http_status integer,
  error_type varchar(255),
  error_message varchar(512),
  input_tokens integer NOT NULL,
  cached_input_tokens integer NOT NULL,
  cache_write_tokens integer NOT NULL,
  cache_write_5m_tokens integer NOT NULL,
  cache_write_1h_tokens integer NOT NULL,
  output_tokens integer NOT NULL,
  reasoning_tokens integer NOT NULL,
  audio_input_tokens integer NOT NULL,
  audio_output_tokens integer NOT NULL,
  image_input_tokens integer NOT NULL,
  image_output_tokens integer NOT NULL,
  usage_estimated integer NOT NULL,
  cost_total integer,
  cost_input integer,
  cost_cached_input integer,
  cost_cache_write integer,
  cost_output integer,
  cost_reasoning integer,
  cost_tools integer,
  cost_other integer,
  computed_cost integer,
  provider_cost integer,
  charge_total integer,
  currency varchar(3),
  cost_source varchar(32) NOT NULL,
  price_version varchar(128),
  latency_ms integer NOT NULL,
  ttfb_ms integer,
  budget_action varchar(32) NOT NULL,
  budget_name varchar(128),
  budget_percent integer,
  key_fingerprint varchar(64),
  provider_request_id varchar(255),
  trace_id varchar(64),
  span_id varchar(32),
  attributes text,
  dry_run_action varchar(32),
  deployment varchar(255)
);
INSERT INTO ${table}_v4 SELECT * FROM ${table};
UPDATE ${table}_v4 SET operation = NULL WHERE operation = 'unknown';
DROP TABLE ${table};
ALTER TABLE ${table}_v4 RENAME TO ${table};
CREATE INDEX IF NOT EXISTS ${table}_started_idx ON ${table} (started_at);
CREATE INDEX IF NOT EXISTS ${table}_tenant_idx ON ${table} (tenant_id, started_at);
CREATE INDEX IF NOT EXISTS ${table}_feature_idx ON ${table} (feature, started_at);
CREATE INDEX IF NOT EXISTS ${table}_model_idx ON ${table} (effective_model, started_at);
CREATE INDEX IF NOT EXISTS ${table}_thread_idx ON ${table} (thread_id, started_at);
CREATE INDEX IF NOT EXISTS ${table}_budget_idx ON ${table} (budget_name, started_at);
CREATE INDEX IF NOT EXISTS ${table}_action_idx ON ${table} (budget_action, started_at);
CREATE INDEX IF NOT EXISTS ${table}_status_idx ON ${table} (status, started_at);
