-- Usage table, version 3, for PostgreSQL: indexes for the weekly review (attribution-report). Every statement is
-- idempotent. budget_action and status lead, so the review's savings query (downgraded and blocked
-- calls of a window) reads only those calls instead of scanning the window.
CREATE INDEX IF NOT EXISTS ${table}_action_idx ON ${table} (budget_action, started_at);
CREATE INDEX IF NOT EXISTS ${table}_status_idx ON ${table} (status, started_at);
