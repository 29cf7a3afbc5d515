/**
 * Real reads a file source (DuckDB) must accept (no false refusals), over the
 * tables the harness imports from CSV and JSON files: customers(id, name,
 * email, country, signup, tier), orders(id, customer_id, total, placed_at,
 * status, tags), categories(id, parent_id, name) as a small tree, events
 * (JSON: id, at, kind, payload {source, score}).
 */
import { analytical } from '../attacks/types';

export const duckdbAnalytical = analytical('duckdb', [
  ['window-rank', 'window functions', `SELECT customer_id, id, total, rank() OVER (PARTITION BY customer_id ORDER BY total DESC) AS r FROM orders ORDER BY customer_id, r LIMIT 50`],
  ['window-running-total', 'window functions', `SELECT id, placed_at, sum(total) OVER (ORDER BY placed_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM orders ORDER BY placed_at LIMIT 50`],
  ['window-lag-qualify', 'window functions', `SELECT id, customer_id, total, lag(total) OVER w AS prev FROM orders WINDOW w AS (PARTITION BY customer_id ORDER BY placed_at) QUALIFY row_number() OVER w <= 2`],
  ['window-ntile', 'window functions', `SELECT id, ntile(4) OVER (ORDER BY total) AS quartile, percent_rank() OVER (ORDER BY total) AS pr FROM orders`],
  ['cte', 'CTE', `WITH big AS (SELECT customer_id, sum(total) AS spent FROM orders GROUP BY customer_id) SELECT c.name, b.spent FROM big b JOIN customers c ON c.id = b.customer_id ORDER BY b.spent DESC LIMIT 10`],
  ['recursive-tree', 'recursive CTE over a small tree', `WITH RECURSIVE tree AS (SELECT id, parent_id, name, 1 AS depth, name AS path FROM categories WHERE parent_id IS NULL UNION ALL SELECT c.id, c.parent_id, c.name, t.depth + 1, t.path || ' > ' || c.name FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree ORDER BY path`],
  ['recursive-bounded', 'recursive CTE', `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n`],
  ['date-trunc', 'date math', `SELECT date_trunc('month', placed_at) AS month, count(*), sum(total) FROM orders GROUP BY ALL ORDER BY 1`],
  ['date-interval', 'date math', `SELECT id FROM orders WHERE placed_at >= TIMESTAMP '2024-01-01' + INTERVAL 3 MONTH AND placed_at < TIMESTAMP '2024-12-31'`],
  ['date-diff-part', 'date math', `SELECT name, year(signup) AS y, date_diff('day', signup, DATE '2025-01-01') AS days, signup + INTERVAL 30 DAY AS trial_end, strftime(signup, '%Y/%m') FROM customers ORDER BY signup LIMIT 20`],
  ['date-now-relative', 'date math', `SELECT count(*) FROM orders WHERE placed_at > now() - INTERVAL 20 YEAR`],
  ['date-series', 'generate_series small, date math', `SELECT d::DATE AS day, count(o.id) FROM generate_series(TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-31', INTERVAL 1 DAY) g(d) LEFT JOIN orders o ON o.placed_at::DATE = d::DATE GROUP BY d ORDER BY d`],
  ['json-struct', 'JSON operators', `SELECT id, payload.source AS source, payload.score AS score FROM events WHERE payload.score > 5 ORDER BY id LIMIT 20`],
  ['json-extract', 'JSON operators', `SELECT id, json_extract_string(to_json(payload), '$.source') AS source, to_json(payload)->>'score' AS score FROM events LIMIT 10`],
  ['list-unnest', 'lists', `SELECT tag, count(*) FROM (SELECT unnest(string_split(tags, ';')) AS tag FROM orders) GROUP BY tag ORDER BY count(*) DESC`],
  ['list-functions', 'lists', `SELECT id, list_transform(string_split(tags, ';'), x -> upper(x)) AS up, len(string_split(tags, ';')) AS n FROM orders LIMIT 5`],
  ['regex-match', 'regex', `SELECT email, regexp_extract(email, '@(.*)$', 1) AS domain FROM customers WHERE regexp_matches(email, '^[a-z]+[0-9]*@example\\.(com|org)$')`],
  ['regex-replace', 'regex', `SELECT regexp_replace(name, '\\s+', ' ', 'g') AS clean, regexp_split_to_array(name, ' ') FROM customers LIMIT 10`],
  ['like-ilike-glob', 'pattern matching', `SELECT id FROM customers WHERE name ILIKE '%ada%' OR email LIKE 'user1%' OR name GLOB 'G*'`],
  ['string-agg', 'string_agg', `SELECT country, string_agg(name, ', ' ORDER BY name) AS names FROM customers GROUP BY country ORDER BY country`],
  ['case-coalesce', 'CASE, COALESCE', `SELECT id, CASE WHEN total > 100 THEN 'large' WHEN total > 20 THEN 'medium' ELSE 'small' END AS size, coalesce(status, 'unknown'), nullif(status, ''), ifnull(status, '-') FROM orders`],
  ['lateral', 'lateral joins', `SELECT c.name, o.id, o.total FROM customers c, LATERAL (SELECT id, total FROM orders WHERE customer_id = c.id ORDER BY total DESC LIMIT 2) o ORDER BY c.name`],
  ['grouping-sets', 'grouping', `SELECT country, status, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY GROUPING SETS ((country), (status), ())`],
  ['rollup-having', 'grouping', `SELECT country, tier, count(*) AS n FROM customers GROUP BY ROLLUP (country, tier) HAVING count(*) > 0`],
  ['percentile-mode', 'ordered aggregates', `SELECT quantile_cont(total, 0.5), median(total), mode(status), approx_count_distinct(customer_id) FROM orders`],
  ['distinct-on', 'DISTINCT ON', `SELECT DISTINCT ON (customer_id) customer_id, id, placed_at FROM orders ORDER BY customer_id, placed_at DESC`],
  ['exists-not-in', 'subqueries', `SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) AND c.id NOT IN (SELECT customer_id FROM orders WHERE status = 'refunded')`],
  ['set-operations', 'set operations', `SELECT country FROM customers UNION SELECT 'Nowhere' EXCEPT SELECT 'Atlantis' ORDER BY 1`],
  ['values-join', 'VALUES', `SELECT v.code, count(c.id) FROM (VALUES ('DE'), ('FR'), ('US')) v(code) LEFT JOIN customers c ON c.country = v.code GROUP BY v.code`],
  ['range-small', 'generate_series small', `SELECT i, i * i AS square FROM range(1, 21) t(i)`],
  ['math', 'numeric', `SELECT round(avg(total), 2), stddev_samp(total), max(total), greatest(1, 2, 3), sqrt(16), pow(2, 10), (17 % 5) FROM orders`],
  ['strings', 'strings', `SELECT upper(name), lower(email), left(name, 3), length(name), position('a' IN name), split_part(email, '@', 2), format('{} <{}>', name, email), md5(email), lpad(id::VARCHAR, 5, '0') FROM customers LIMIT 5`],
  // A PIVOT without an IN list is refused on purpose: DuckDB first runs a query of its own and creates an ENUM type
  // from the values it finds, so it is not one read statement. With the values named, it is an ordinary read.
  ['pivot-source', 'PIVOT over a source table', `PIVOT orders ON status IN ('paid', 'open', 'refunded') USING count(*) GROUP BY customer_id ORDER BY customer_id LIMIT 5`],
  ['unpivot', 'UNPIVOT', `UNPIVOT (SELECT id, total, customer_id FROM orders LIMIT 3) ON total, customer_id INTO NAME k VALUE v`],
  ['from-first', 'FROM-first syntax', `FROM customers SELECT country, count(*) GROUP BY ALL ORDER BY ALL`],
  ['columns-star', 'COLUMNS(*)', `SELECT max(COLUMNS(* EXCLUDE (tags))) FROM orders`],
  ['sample', 'sampling', `SELECT count(*) FROM orders USING SAMPLE 50 PERCENT (bernoulli, 7)`],
  ['random-sample', 'volatile but harmless', `SELECT id FROM customers ORDER BY random() LIMIT 3`],
  ['uuid-clock', 'volatile but harmless', `SELECT gen_random_uuid() IS NOT NULL AS ok, current_date >= DATE '2020-01-01' AS later`],
  ['describe-table', 'metadata', `DESCRIBE customers`],
  ['information-schema', 'metadata', `SELECT table_name, column_name, data_type FROM information_schema.columns ORDER BY table_name, ordinal_position`],
  ['summarize-table', 'SUMMARIZE of a source table', `SUMMARIZE orders`],
  ['dangerous-words-in-strings', 'words in literals and comments', `SELECT 'read_csv(''/etc/passwd''); COPY x TO ''y''' AS text /* ATTACH 'x'; INSTALL httpfs */ FROM customers LIMIT 1`],
  ['dangerous-aliases', 'identifiers that look like functions', `SELECT count(*) AS read_csv, max(total) AS "glob" FROM orders`],
  ['explain', 'EXPLAIN', `EXPLAIN SELECT * FROM orders WHERE customer_id = 3`],
  ['casts', 'casts', `SELECT '42'::INTEGER + 1, '2024-02-29'::DATE, [1, 2, 3]::INTEGER[], {'a': 1} AS s, '1 day'::INTERVAL, TRY_CAST('x' AS INTEGER)`],
]);
