-- Usage table, version 2, for MySQL 8 / MariaDB: unknown is NULL, not a sentinel; a dry-run
-- outcome and the Azure deployment get their own columns. MySQL commits each DDL statement, so
-- every statement here is safe to re-run after a crash mid-migration: the one ALTER (atomic: all
-- four changes or none) runs only while the table lacks dry_run_action (MySQL 8 has no ADD COLUMN
-- IF NOT EXISTS), and the UPDATEs find nothing left to change.
SET @attribution_v2 = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE ${table} ADD COLUMN dry_run_action varchar(32), ADD COLUMN deployment varchar(255), MODIFY COLUMN provider varchar(64) NULL, MODIFY COLUMN http_status int NULL', 'DO 0') FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '${table}' AND column_name = 'dry_run_action');
PREPARE attribution_v2 FROM @attribution_v2;
EXECUTE attribution_v2;
DEALLOCATE PREPARE attribution_v2;
UPDATE ${table} SET provider = NULL WHERE provider = 'unknown';
UPDATE ${table} SET http_status = NULL WHERE http_status = 0;
UPDATE ${table} SET dry_run_action = JSON_UNQUOTE(JSON_EXTRACT(attributes, '$.budget_dry_run')), attributes = JSON_REMOVE(attributes, '$.budget_dry_run') WHERE JSON_CONTAINS_PATH(attributes, 'one', '$.budget_dry_run');
