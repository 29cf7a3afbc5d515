/**
 * Real reads a PostgreSQL source must accept (no false refusals), over the
 * canary schema the harness builds: customers(id, name, email, country,
 * signup date, meta jsonb), orders(id, customer_id, total numeric, placed_at
 * timestamptz, status, tags text[]), categories(id, parent_id, name) as a
 * small tree, docs(id, title, body), events(id, at, kind) and weird, whose
 * columns are named "pg_read_file" and "select". The database also has the
 * citext extension and functions in public named like built-ins (length,
 * abs, lower), as real databases do.
 */
import { analytical } from '../attacks/types';

export const postgresAnalytical = analytical('pg', [
  ['window-rank', 'window functions', `SELECT customer_id, id, total, rank() OVER (PARTITION BY customer_id ORDER BY total DESC) AS r FROM orders ORDER BY customer_id, r LIMIT 50`],
  ['window-running-total', 'window functions', `SELECT id, placed_at, sum(total) OVER (ORDER BY placed_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM orders ORDER BY placed_at LIMIT 50`],
  ['window-lag-lead', 'window functions', `SELECT id, total, lag(total) OVER w AS prev, lead(total) OVER w AS next FROM orders WINDOW w AS (PARTITION BY customer_id ORDER BY placed_at) LIMIT 50`],
  ['window-ntile-percent', 'window functions', `SELECT id, ntile(4) OVER (ORDER BY total) AS quartile, percent_rank() OVER (ORDER BY total) AS pr, cume_dist() OVER (ORDER BY total) FROM orders`],
  ['window-first-value-filter', 'window functions', `SELECT DISTINCT customer_id, first_value(status) OVER (PARTITION BY customer_id ORDER BY placed_at), count(*) FILTER (WHERE status = 'paid') OVER (PARTITION BY customer_id) FROM orders`],
  ['cte-basic', 'CTE', `WITH big AS (SELECT customer_id, sum(total) AS spent FROM orders GROUP BY customer_id) SELECT c.name, b.spent FROM big b JOIN customers c ON c.id = b.customer_id ORDER BY b.spent DESC LIMIT 10`],
  ['cte-materialized', 'CTE', `WITH m AS MATERIALIZED (SELECT country, count(*) AS n FROM customers GROUP BY country) SELECT * FROM m WHERE n > 1 ORDER BY n DESC`],
  ['recursive-tree', 'recursive CTE over a small tree', `WITH RECURSIVE tree AS (SELECT id, parent_id, name, 1 AS depth, name::text AS path FROM categories WHERE parent_id IS NULL UNION ALL SELECT c.id, c.parent_id, c.name, t.depth + 1, t.path || ' > ' || c.name FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree ORDER BY path`],
  ['recursive-bounded-series', 'recursive CTE', `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n`],
  ['date-trunc-month', 'date math', `SELECT date_trunc('month', placed_at) AS month, count(*), sum(total) FROM orders GROUP BY 1 ORDER BY 1`],
  ['date-interval', 'date math', `SELECT id FROM orders WHERE placed_at >= timestamptz '2024-01-01' + interval '3 months' AND placed_at < timestamptz '2024-12-31'`],
  ['date-extract-age', 'date math', `SELECT name, extract(year FROM signup) AS y, age(date '2025-01-01', signup) AS tenure, signup + 30 AS trial_end FROM customers ORDER BY signup LIMIT 20`],
  ['date-now-relative', 'date math', `SELECT count(*) FROM orders WHERE placed_at > now() - interval '20 years'`],
  ['date-to-char', 'date math', `SELECT to_char(placed_at, 'YYYY-MM-DD HH24:MI') AS at, to_char(total, 'FM999990.00') FROM orders LIMIT 5`],
  ['date-bin-generate', 'generate_series small, date math', `SELECT d::date, count(o.id) FROM generate_series(date '2024-01-01', date '2024-01-31', interval '1 day') d LEFT JOIN orders o ON o.placed_at::date = d::date GROUP BY d ORDER BY d`],
  ['json-arrow', 'JSON operators', `SELECT name, meta->>'tier' AS tier, (meta->'prefs'->>'newsletter')::boolean AS newsletter FROM customers WHERE meta ? 'tier'`],
  ['json-containment', 'JSON operators', `SELECT id, name FROM customers WHERE meta @> '{"tier": "gold"}'`],
  ['json-path', 'JSON operators', `SELECT id, jsonb_path_query_first(meta, '$.prefs.language') FROM customers WHERE jsonb_path_exists(meta, '$.prefs ? (@.newsletter == true)')`],
  ['json-build-agg', 'JSON operators', `SELECT country, jsonb_agg(jsonb_build_object('id', id, 'name', name) ORDER BY id) FROM customers GROUP BY country`],
  ['json-each', 'JSON operators', `SELECT c.id, kv.key, kv.value FROM customers c, jsonb_each_text(c.meta) kv WHERE c.id <= 5`],
  ['regex-match', 'regex', `SELECT email, substring(email FROM '@(.*)$') AS domain FROM customers WHERE email ~* '^[a-z]+[0-9]*@example\\.(com|org)$'`],
  ['regex-replace-split', 'regex', `SELECT regexp_replace(name, '\\s+', ' ', 'g'), regexp_split_to_array(name, ' ') FROM customers LIMIT 10`],
  ['regex-matches-set', 'regex', `SELECT id, m[1] FROM docs, regexp_matches(body, '(\\w+ing)\\b', 'g') AS m LIMIT 20`],
  ['fts-plainto', 'full-text search', `SELECT id, title FROM docs WHERE to_tsvector('english', body) @@ plainto_tsquery('english', 'database index')`],
  ['fts-rank-headline', 'full-text search', `SELECT id, ts_rank(to_tsvector('english', body), q) AS rank, ts_headline('english', body, q) FROM docs, websearch_to_tsquery('english', 'query -slow') q WHERE to_tsvector('english', body) @@ q ORDER BY rank DESC`],
  ['fts-phrase', 'full-text search', `SELECT id FROM docs WHERE to_tsvector('simple', body) @@ phraseto_tsquery('simple', 'pending list')`],
  ['string-agg', 'string_agg', `SELECT country, string_agg(name, ', ' ORDER BY name) AS names FROM customers GROUP BY country ORDER BY country`],
  ['array-agg-unnest', 'arrays', `SELECT tag, count(*) FROM orders, unnest(tags) AS tag GROUP BY tag ORDER BY count(*) DESC`],
  ['case-coalesce', 'CASE, COALESCE', `SELECT id, CASE WHEN total > 100 THEN 'large' WHEN total > 20 THEN 'medium' ELSE 'small' END AS size, coalesce(status, 'unknown'), nullif(status, '') FROM orders`],
  ['lateral-top-n', 'lateral joins', `SELECT c.name, o.id, o.total FROM customers c CROSS JOIN LATERAL (SELECT id, total FROM orders WHERE customer_id = c.id ORDER BY total DESC LIMIT 2) o ORDER BY c.name`],
  ['lateral-left', 'lateral joins', `SELECT c.id, x.n FROM customers c LEFT JOIN LATERAL (SELECT count(*) AS n FROM orders o WHERE o.customer_id = c.id) x ON true`],
  ['grouping-sets', 'grouping', `SELECT country, status, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY GROUPING SETS ((country), (status), ())`],
  ['rollup-having', 'grouping', `SELECT country, extract(year FROM signup) AS y, count(*) FROM customers GROUP BY ROLLUP (country, 2) HAVING count(*) > 0`],
  ['percentile-mode', 'ordered-set aggregates', `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total), mode() WITHIN GROUP (ORDER BY status) FROM orders`],
  ['distinct-on', 'DISTINCT ON', `SELECT DISTINCT ON (customer_id) customer_id, id, placed_at FROM orders ORDER BY customer_id, placed_at DESC`],
  ['exists-not-in', 'subqueries', `SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) AND c.id NOT IN (SELECT customer_id FROM orders WHERE status = 'refunded')`],
  ['set-operations', 'UNION/EXCEPT', `SELECT country FROM customers UNION SELECT 'Nowhere' EXCEPT SELECT 'Atlantis' ORDER BY 1`],
  ['values-join', 'VALUES', `SELECT v.code, count(c.id) FROM (VALUES ('DE'), ('FR'), ('US')) v(code) LEFT JOIN customers c ON c.country = v.code GROUP BY v.code`],
  ['generate-series-small', 'generate_series small', `SELECT g, g * g AS square FROM generate_series(1, 20) g`],
  ['math-rounding', 'numeric', `SELECT round(avg(total), 2), stddev_samp(total), width_bucket(max(total), 0, 1000, 10), greatest(1, 2, 3), sqrt(16), power(2, 10) FROM orders`],
  // The canary plants a trap overload public.length(integer); the guardrail knows no column types, so it refuses a bare
  // length(name) there (conservatively: an integer argument would run the trap) and says to write pg_catalog.length.
  ['string-functions', 'strings', `SELECT upper(name), lower(email), initcap(country), left(name, 3), pg_catalog.length(name), position('a' IN name), split_part(email, '@', 2), format('%s <%s>', name, email), md5(email) FROM customers LIMIT 5`],
  // citext (a common extension) puts overloads of split_part, replace, strpos, regexp_* … in public: the built-ins must
  // still be accepted for text arguments, where PostgreSQL itself picks pg_catalog's.
  ['citext-overloads', 'built-ins that an extension overloads in public', `SELECT split_part(email, '@', 2), replace(name, ' ', '_'), strpos(name, 'a'), translate(country, 'DE', 'de'), regexp_replace(email, '@.*', '') FROM customers LIMIT 5`],
  ['random-sample', 'volatile but harmless', `SELECT id FROM customers ORDER BY random() LIMIT 3`],
  ['uuid-and-clock', 'volatile but harmless', `SELECT gen_random_uuid() IS NOT NULL AS ok, clock_timestamp() >= now() AS ticking`],
  ['tablesample', 'sampling', `SELECT count(*) FROM orders TABLESAMPLE SYSTEM (50) REPEATABLE (1)`],
  ['filter-aggregate-bool', 'aggregates', `SELECT bool_or(total > 100), bool_and(total > 0), count(*) FILTER (WHERE status = 'paid') FROM orders`],
  ['metadata-information-schema', 'metadata', `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`],
  ['function-like-column-names', 'identifiers that look like functions', `SELECT "pg_read_file", "select" FROM weird ORDER BY "select"`],
  ['dangerous-words-in-strings', 'words in literals and comments', `SELECT 'pg_read_file(''/etc/passwd''); DELETE FROM orders' AS text /* DROP TABLE customers; pg_sleep(10) */ FROM customers LIMIT 1`],
  ['dangerous-alias', 'identifiers that look like functions', `SELECT count(*) AS lo_import, max(total) AS pg_terminate_backend FROM orders`],
  ['explain-plain', 'EXPLAIN without ANALYZE', `EXPLAIN SELECT * FROM orders WHERE customer_id = 3`],
  ['casts-and-types', 'casts', `SELECT '42'::int + 1, '2024-02-29'::date, '{1,2,3}'::int[], '{"a":1}'::jsonb, 'x'::text::varchar(3), '1 day'::interval`],
  ['unicode-and-dollar-literal', 'quoting', `SELECT $$it's a "quoted" value$$ AS v, U&'caf\\00E9' AS w, E'tab\\there' AS x`],
]);
