-- Usage table, version 2, for PostgreSQL: unknown is NULL, not a sentinel; a dry-run outcome and
-- the Azure deployment get their own columns. Runs in the migration's transaction (PostgreSQL DDL
-- is transactional), so a crash leaves version 1 intact; every statement is also safe to re-run.
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS dry_run_action varchar(32);
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS deployment varchar(255);
ALTER TABLE ${table} ALTER COLUMN provider DROP NOT NULL;
ALTER TABLE ${table} ALTER COLUMN http_status DROP NOT NULL;
UPDATE ${table} SET provider = NULL WHERE provider = 'unknown';
UPDATE ${table} SET http_status = NULL WHERE http_status = 0;
UPDATE ${table} SET dry_run_action = attributes ->> 'budget_dry_run', attributes = attributes - 'budget_dry_run' WHERE attributes ->> 'budget_dry_run' IS NOT NULL;
