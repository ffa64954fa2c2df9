-- Usage table, version 4, for PostgreSQL: an unknown operation is NULL, not the sentinel 'unknown'.
-- Runs in the migration's transaction (PostgreSQL DDL is transactional), so a crash leaves version 3
-- intact; every statement is also safe to re-run.
ALTER TABLE ${table} ALTER COLUMN operation DROP NOT NULL;
UPDATE ${table} SET operation = NULL WHERE operation = 'unknown';
