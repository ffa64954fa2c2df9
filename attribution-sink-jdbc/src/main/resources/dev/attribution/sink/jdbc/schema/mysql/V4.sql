-- Usage table, version 4, for MySQL 8 / MariaDB: an unknown operation is NULL, not the sentinel
-- 'unknown'. MySQL commits each DDL statement, so every statement here is safe to re-run after a
-- crash mid-migration: the ALTER runs only while the column is still NOT NULL, and the UPDATE finds
-- nothing left to change.
SET @attribution_v4 = (SELECT IF(COUNT(*) = 1, 'ALTER TABLE ${table} MODIFY COLUMN operation varchar(64) NULL', 'DO 0') FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '${table}' AND column_name = 'operation' AND is_nullable = 'NO');
PREPARE attribution_v4 FROM @attribution_v4;
EXECUTE attribution_v4;
DEALLOCATE PREPARE attribution_v4;
UPDATE ${table} SET operation = NULL WHERE operation = 'unknown';
