-- Usage table, version 2, for H2: unknown is NULL, not a sentinel; a dry-run outcome and the Azure
-- deployment get their own columns. Every statement is safe to re-run. H2 has no JSON path
-- functions, so the dry-run attribute moves out of the attributes text by pattern (the sink writes
-- it compact, and a quote inside a value is always escaped, so only the key can match).
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS dry_run_action varchar(32);
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS deployment varchar(255);
ALTER TABLE ${table} ALTER COLUMN provider SET NULL;
ALTER TABLE ${table} ALTER COLUMN http_status SET NULL;
UPDATE ${table} SET provider = NULL WHERE provider = 'unknown';
UPDATE ${table} SET http_status = NULL WHERE http_status = 0;
UPDATE ${table} SET dry_run_action = REGEXP_SUBSTR(CAST(attributes AS VARCHAR), '"budget_dry_run":"([a-z]+)"', 1, 1, '', 1) WHERE CAST(attributes AS VARCHAR) LIKE '%"budget_dry_run":"%';
UPDATE ${table} SET attributes = REGEXP_REPLACE(REGEXP_REPLACE(CAST(attributes AS VARCHAR), '"budget_dry_run":"[a-z]+",?', ''), ',}$', '}') FORMAT JSON WHERE CAST(attributes AS VARCHAR) LIKE '%"budget_dry_run":"%';
