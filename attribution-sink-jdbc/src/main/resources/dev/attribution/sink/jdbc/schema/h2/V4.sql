-- Usage table, version 4, for H2: an unknown operation is NULL, not the sentinel 'unknown'. H2
-- commits each DDL statement, so every statement here is safe to re-run after a crash.
ALTER TABLE ${table} ALTER COLUMN operation SET NULL;
UPDATE ${table} SET operation = NULL WHERE operation = 'unknown';
