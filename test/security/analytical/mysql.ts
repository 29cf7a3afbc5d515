/**
 * Real reads a MySQL / MariaDB source must accept (no false refusals), over
 * the canary schema the harness builds: customers(id, name, email, country,
 * signup DATE, meta JSON), orders(id, customer_id, total DECIMAL, placed_at
 * DATETIME, status, tags JSON), categories(id, parent_id, name) as a small
 * tree, docs(id, title, body) with a FULLTEXT index, events(id, at, kind) and
 * weird, whose columns are named LOAD_FILE and select.
 */
import { analytical } from '../attacks/types';

export const mysqlAnalytical = analytical('mysql', [
  ['window-rank', 'window functions', `SELECT customer_id, id, total, RANK() OVER (PARTITION BY customer_id ORDER BY total DESC) AS r FROM orders ORDER BY customer_id, r LIMIT 50`],
  ['window-running-total', 'window functions', `SELECT id, placed_at, SUM(total) OVER (ORDER BY placed_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM orders ORDER BY placed_at LIMIT 50`],
  ['window-lag-lead', 'window functions', `SELECT id, total, LAG(total) OVER w AS prev, LEAD(total) OVER w AS nxt FROM orders WINDOW w AS (PARTITION BY customer_id ORDER BY placed_at) LIMIT 50`],
  ['window-ntile-percent', 'window functions', `SELECT id, NTILE(4) OVER (ORDER BY total) AS quartile, PERCENT_RANK() OVER (ORDER BY total) AS pr, CUME_DIST() OVER (ORDER BY total) AS cd FROM orders`],
  ['window-first-value', 'window functions', `SELECT DISTINCT customer_id, FIRST_VALUE(status) OVER (PARTITION BY customer_id ORDER BY placed_at) AS first_status FROM orders`],
  ['cte-basic', 'CTE', `WITH big AS (SELECT customer_id, SUM(total) AS spent FROM orders GROUP BY customer_id) SELECT c.name, b.spent FROM big b JOIN customers c ON c.id = b.customer_id ORDER BY b.spent DESC LIMIT 10`],
  ['cte-two', 'CTE', `WITH a AS (SELECT country, COUNT(*) AS n FROM customers GROUP BY country), b AS (SELECT MAX(n) AS m FROM a) SELECT a.* FROM a, b WHERE a.n = b.m`],
  ['recursive-tree', 'recursive CTE over a small tree', `WITH RECURSIVE tree AS (SELECT id, parent_id, name, 1 AS depth, CAST(name AS CHAR(200)) AS path FROM categories WHERE parent_id IS NULL UNION ALL SELECT c.id, c.parent_id, c.name, t.depth + 1, CONCAT(t.path, ' > ', c.name) FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree ORDER BY path`],
  ['recursive-bounded', 'recursive CTE', `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT SUM(i) FROM n`],
  ['date-format-month', 'date math', `SELECT DATE_FORMAT(placed_at, '%Y-%m') AS month, COUNT(*), SUM(total) FROM orders GROUP BY month ORDER BY month`],
  ['date-interval', 'date math', `SELECT id FROM orders WHERE placed_at >= '2024-01-01' + INTERVAL 3 MONTH AND placed_at < '2024-12-31'`],
  ['date-diff-add', 'date math', `SELECT name, YEAR(signup) AS y, DATEDIFF('2025-01-01', signup) AS days, DATE_ADD(signup, INTERVAL 30 DAY) AS trial_end, TIMESTAMPDIFF(MONTH, signup, '2025-01-01') AS months FROM customers ORDER BY signup LIMIT 20`],
  ['date-now-relative', 'date math', `SELECT COUNT(*) FROM orders WHERE placed_at > NOW() - INTERVAL 20 YEAR`],
  ['date-parts', 'date math', `SELECT DAYNAME(placed_at), WEEK(placed_at), QUARTER(placed_at), LAST_DAY(placed_at), STR_TO_DATE('31/01/2024', '%d/%m/%Y') FROM orders LIMIT 5`],
  ['json-extract', 'JSON operators', `SELECT name, JSON_VALUE(meta, '$.tier') AS tier, JSON_UNQUOTE(JSON_EXTRACT(meta, '$.prefs.language')) AS lang, JSON_EXTRACT(meta, '$.prefs.newsletter') AS newsletter FROM customers WHERE JSON_CONTAINS_PATH(meta, 'one', '$.tier')`],
  ['json-contains', 'JSON operators', `SELECT id, name FROM customers WHERE JSON_CONTAINS(meta, '"gold"', '$.tier')`],
  ['json-value-table', 'JSON operators', `SELECT o.id, t.tag FROM orders o, JSON_TABLE(o.tags, '$[*]' COLUMNS (tag VARCHAR(20) PATH '$')) AS t WHERE o.id <= 5`],
  ['json-build-agg', 'JSON operators', `SELECT country, JSON_ARRAYAGG(JSON_OBJECT('id', id, 'name', name)) AS people FROM customers GROUP BY country`],
  ['regex-match', 'regex', `SELECT email, SUBSTRING_INDEX(email, '@', -1) AS domain FROM customers WHERE email REGEXP '^[a-z]+[0-9]*@example\\\\.(com|org)$'`],
  ['regex-replace-substr', 'regex', `SELECT REGEXP_REPLACE(name, '\\\\s+', ' '), REGEXP_SUBSTR(name, '[A-Z][a-z]+') FROM customers LIMIT 10`],
  ['like-rlike', 'regex', `SELECT id FROM docs WHERE body LIKE '%index%' AND title RLIKE 'Doc [0-9]+'`],
  ['fulltext-natural', 'full-text search', `SELECT id, title, MATCH(body) AGAINST ('database index') AS score FROM docs WHERE MATCH(body) AGAINST ('database index') ORDER BY score DESC`],
  ['fulltext-boolean', 'full-text search', `SELECT id FROM docs WHERE MATCH(body) AGAINST ('+pending -slowest' IN BOOLEAN MODE)`],
  ['group-concat', 'GROUP_CONCAT', `SELECT country, GROUP_CONCAT(name ORDER BY name SEPARATOR ', ') AS names FROM customers GROUP BY country ORDER BY country`],
  ['case-coalesce', 'CASE, COALESCE', `SELECT id, CASE WHEN total > 100 THEN 'large' WHEN total > 20 THEN 'medium' ELSE 'small' END AS size, COALESCE(status, 'unknown'), NULLIF(status, ''), IFNULL(status, '-'), IF(total > 50, 'y', 'n') FROM orders`],
  ['lateral-like-derived', 'joins', `SELECT c.name, x.n FROM customers c LEFT JOIN (SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id) x ON x.customer_id = c.id`],
  ['rollup', 'grouping', `SELECT country, status, COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY country, status WITH ROLLUP`],
  ['having', 'grouping', `SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id HAVING n > 4 ORDER BY n DESC`],
  ['exists-not-in', 'subqueries', `SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) AND c.id NOT IN (SELECT customer_id FROM orders WHERE status = 'refunded')`],
  ['union-except', 'set operations', `SELECT country FROM customers UNION SELECT 'Nowhere' EXCEPT SELECT 'Atlantis' ORDER BY 1`],
  ['intersect', 'set operations', `SELECT customer_id FROM orders WHERE status = 'paid' INTERSECT SELECT customer_id FROM orders WHERE status = 'open'`],
  ['values-table', 'VALUES', `SELECT v.code, COUNT(c.id) FROM (SELECT 'DE' AS code UNION ALL SELECT 'FR' UNION ALL SELECT 'US') v LEFT JOIN customers c ON c.country = v.code GROUP BY v.code`],
  ['small-sequence', 'a small generated series', `SELECT seq, seq * seq AS square FROM seq_1_to_20`],
  ['math', 'numeric', `SELECT ROUND(AVG(total), 2), STDDEV_SAMP(total), MAX(total), GREATEST(1, 2, 3), SQRT(16), POW(2, 10), MOD(17, 5), TRUNCATE(12.345, 1) FROM orders`],
  ['strings', 'strings', `SELECT UPPER(name), LOWER(email), LEFT(name, 3), CHAR_LENGTH(name), LOCATE('a', name), CONCAT_WS(' ', name, '<', email, '>'), MD5(email), LPAD(id, 5, '0'), REVERSE(country) FROM customers LIMIT 5`],
  ['random-sample', 'volatile but harmless', `SELECT id FROM customers ORDER BY RAND() LIMIT 3`],
  ['uuid-and-clock', 'volatile but harmless', `SELECT UUID() IS NOT NULL AS ok, NOW() >= '2020-01-01' AS later, CURDATE(), UTC_TIMESTAMP()`],
  ['distinct-count', 'aggregates', `SELECT COUNT(DISTINCT customer_id), SUM(status = 'paid'), BIT_OR(id), MIN(placed_at) FROM orders`],
  ['information-schema-columns', 'metadata', `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`],
  ['function-like-columns', 'identifiers that look like functions', 'SELECT `LOAD_FILE`, `select` FROM weird ORDER BY `select`'],
  ['dangerous-words-in-strings', 'words in literals and comments', `SELECT 'LOAD_FILE(''/etc/passwd''); DELETE FROM orders' AS text /* DROP TABLE customers; SLEEP(10) */ FROM customers LIMIT 1`],
  ['dangerous-aliases', 'identifiers that look like functions', 'SELECT COUNT(*) AS `load_file`, MAX(total) AS `get_lock` FROM orders'],
  ['explain-select', 'EXPLAIN of a read', `EXPLAIN SELECT * FROM orders WHERE customer_id = 3`],
  ['casts', 'casts', `SELECT CAST('42' AS SIGNED) + 1, CAST('2024-02-29' AS DATE), CAST(id AS CHAR), CONVERT(name USING utf8mb4), CAST(1.5 AS DECIMAL(5,2)) FROM customers LIMIT 3`],
  ['qualified-own-database', 'the source\'s own database, qualified', `SELECT COUNT(*) FROM {{db}}.orders`],
]);
