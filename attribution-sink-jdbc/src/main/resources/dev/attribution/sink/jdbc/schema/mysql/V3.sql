-- Usage table, version 3, for MySQL 8 / MariaDB: indexes for the weekly review
-- (attribution-report). budget_action and status lead, so the review's savings query (downgraded
-- and blocked calls of a window) reads only those calls instead of scanning the window. MySQL 8 has
-- no CREATE INDEX IF NOT EXISTS, so each index is created only while missing (safe to re-run).
SET @attribution_v3 = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX ${table}_action_idx ON ${table} (budget_action, started_at)', 'DO 0') FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '${table}' AND index_name = '${table}_action_idx');
PREPARE attribution_v3 FROM @attribution_v3;
EXECUTE attribution_v3;
DEALLOCATE PREPARE attribution_v3;
SET @attribution_v3 = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX ${table}_status_idx ON ${table} (status, started_at)', 'DO 0') FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '${table}' AND index_name = '${table}_status_idx');
PREPARE attribution_v3 FROM @attribution_v3;
EXECUTE attribution_v3;
DEALLOCATE PREPARE attribution_v3;
