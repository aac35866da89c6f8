-- The realistic-entropy PostgreSQL dataset of bench/backup (issue 4, point 7): a small shop's customers, orders,
-- click events (jsonb) and reviews, with their indexes. Text is made of words from bench_vocab (vocab.awk) picked
-- with a Zipf-like skew (low ids, the short words, more often), plus names, e-mails, addresses, phone numbers,
-- tokens and timestamps, so that the dump compresses like production data (about 3x with zstd -3), not like
-- pgbench's blank filler (about 100x).
-- Run by bench/backup/run.sh into an empty database that already holds bench_vocab, with psql variables
-- customers, orders, events, reviews (row counts) and vocab (the number of words in bench_vocab).
-- Single session, no parallel workers: setseed makes the data the same on every run.
\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET synchronous_commit = off;
SELECT setseed(0.20261123);

-- n words of the vocabulary, each from its first `top` words, id k with probability ~ 1/(k+1) (Zipf: k is
-- log-uniform). The ids come from a subquery: a volatile expression in the WHERE would be evaluated on every row.
CREATE FUNCTION bench_text(n int, top int DEFAULT :vocab) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT string_agg((SELECT w FROM bench_vocab WHERE id = r.k), ' ')
  FROM (SELECT floor(power(top, random()))::int - 1 AS k FROM generate_series(1, n)) r $$;
-- A random instant in [since, since + span).
CREATE FUNCTION bench_ts(since timestamptz, span interval) RETURNS timestamptz LANGUAGE sql VOLATILE AS $$
  SELECT since + random() * span $$;
-- One of the elements of a, uniformly.
CREATE FUNCTION bench_one(a text[]) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT a[1 + floor(random() * cardinality(a))::int] $$;

CREATE TABLE customers (
    id               bigint PRIMARY KEY,
    public_id        uuid NOT NULL,
    first_name       text NOT NULL,
    last_name        text NOT NULL,
    email            text NOT NULL,
    phone            text,
    street           text NOT NULL,
    city             text NOT NULL,
    postcode         text NOT NULL,
    country          char(2) NOT NULL,
    birth_date       date,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    balance          numeric(12, 2) NOT NULL,
    loyalty_points   integer NOT NULL,
    status           text NOT NULL,
    marketing_opt_in boolean NOT NULL,
    notes            text,
    api_key          text NOT NULL
);

INSERT INTO customers
SELECT g, gen_random_uuid(), f, l,
       lower(f) || CASE WHEN random() < 0.5 THEN '.' ELSE '_' END || lower(l)
           || CASE WHEN random() < 0.6 THEN floor(random() * 1000)::text ELSE '' END
           || '@' || bench_text(1, 400) || bench_one('{.com,.com,.com,.net,.org,.io,.de,.fr,.co.uk}'),
       CASE WHEN random() < 0.85 THEN '+' || (1 + floor(random() * 98))::text || ' ' || lpad(floor(random() * 1e9)::text, 9, '0') END,
       (1 + floor(random() * 2000))::text || ' ' || initcap(bench_text(1, 3000)) || ' '
           || bench_one('{Street,Road,Avenue,Lane,Way,Drive,Place,Court}'),
       initcap(bench_text(1, 1500)),
       lpad(floor(random() * 100000)::text, 5, '0'),
       bench_one('{US,US,US,US,GB,GB,DE,DE,FR,FR,ES,IT,NL,SE,PL,CA,CA,AU,BR,JP,IN,MX,IE,BE,CH,AT,DK,NO,PT,NZ}'),
       CASE WHEN random() < 0.7 THEN date '1950-01-01' + floor(random() * 20000)::int END,
       c, c + random() * (timestamptz '2026-11-01' - c),
       round((random() * random() * 5000)::numeric, 2),
       floor(random() * random() * 20000)::int,
       bench_one('{active,active,active,active,active,active,inactive,suspended,pending}'),
       random() < 0.3,
       CASE WHEN random() < 0.35 THEN bench_text(3 + floor(random() * 20)::int) END,
       md5(random()::text)
FROM (SELECT g, initcap(bench_text(1, 2000)) AS f, initcap(bench_text(1, 4000)) AS l,
             bench_ts('2016-01-01', interval '10 years') AS c
      FROM generate_series(1, :customers) g OFFSET 0) s;

CREATE TABLE orders (
    id               bigint PRIMARY KEY,
    customer_id      bigint NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    status           text NOT NULL,
    currency         char(3) NOT NULL,
    subtotal         numeric(10, 2) NOT NULL,
    tax              numeric(10, 2) NOT NULL,
    shipping         numeric(8, 2) NOT NULL,
    total            numeric(10, 2) NOT NULL,
    item_count       integer NOT NULL,
    coupon           text,
    tracking_number  text,
    shipping_address text NOT NULL,
    gift_message     text
);

INSERT INTO orders
SELECT g, 1 + floor(power(random(), 1.5) * :customers)::bigint,
       c, c + random() * interval '20 days',
       st, bench_one('{USD,USD,USD,EUR,EUR,GBP,CAD,AUD,JPY}'),
       sub, round(sub * 0.2, 2), ship, sub + round(sub * 0.2, 2) + ship,
       1 + floor(random() * random() * 12)::int,
       CASE WHEN random() < 0.15 THEN upper(bench_text(1, 300)) || (5 * (1 + floor(random() * 8)))::text END,
       CASE WHEN st IN ('shipped', 'delivered') THEN upper(substr(md5(random()::text), 1, 2)) || lpad(floor(random() * 1e9)::text, 9, '0') || 'GB' END,
       (1 + floor(random() * 2000))::text || ' ' || initcap(bench_text(1, 3000)) || ' '
           || bench_one('{Street,Road,Avenue,Lane,Way,Drive}') || ', ' || lpad(floor(random() * 100000)::text, 5, '0')
           || ' ' || initcap(bench_text(1, 1500)),
       CASE WHEN random() < 0.08 THEN bench_text(4 + floor(random() * 12)::int) END
FROM (SELECT g, bench_ts('2019-01-01', interval '7 years 10 months') AS c,
             bench_one('{delivered,delivered,delivered,delivered,delivered,shipped,shipped,paid,pending,cancelled,refunded}') AS st,
             round((5 + random() * random() * 800)::numeric, 2) AS sub,
             round((random() * 25)::numeric, 2) AS ship
      FROM generate_series(1, :orders) g OFFSET 0) s;

CREATE TABLE events (
    id          bigint PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    customer_id bigint,
    doc         jsonb NOT NULL
);

INSERT INTO events
SELECT g, bench_ts('2025-06-01', interval '17 months'),
       CASE WHEN random() < 0.8 THEN 1 + floor(random() * :customers)::bigint END,
       jsonb_build_object(
           'type', bench_one('{page_view,page_view,page_view,page_view,click,click,search,add_to_cart,remove_from_cart,checkout,login,logout,signup,error}'),
           'session', substr(md5(random()::text), 1, 20),
           'ip', concat_ws('.', 1 + floor(random() * 223), floor(random() * 256), floor(random() * 256), floor(random() * 256)),
           'user_agent', bench_one(ARRAY[
               'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
               'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
               'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
               'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
               'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
               'okhttp/4.12.0', 'curl/8.5.0']),
           'path', '/' || bench_text(1, 300) || '/' || bench_text(1, 2000) || '/' || floor(random() * 100000),
           'referrer', CASE WHEN random() < 0.4 THEN 'https://' || bench_text(1, 500) || bench_one('{.com,.net,.org}') || '/' || bench_text(1) END,
           'tags', to_jsonb(string_to_array(bench_text(1 + floor(random() * 4)::int, 1000), ' ')),
           'props', jsonb_build_object(
               'amount', round((random() * random() * 500)::numeric, 2),
               'quantity', 1 + floor(random() * 5),
               'sku', upper(substr(md5(random()::text), 1, 10)),
               'query', CASE WHEN random() < 0.3 THEN bench_text(1 + floor(random() * 4)::int) END),
           'ok', random() < 0.97,
           'duration_ms', floor(random() * random() * 3000))
FROM generate_series(1, :events) g;

CREATE TABLE reviews (
    id            bigint PRIMARY KEY,
    customer_id   bigint NOT NULL,
    order_id      bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    rating        smallint NOT NULL,
    title         text NOT NULL,
    body          text NOT NULL,
    language      char(2) NOT NULL,
    helpful_votes integer NOT NULL,
    verified      boolean NOT NULL
);

INSERT INTO reviews
SELECT g, 1 + floor(random() * :customers)::bigint, 1 + floor(random() * :orders)::bigint,
       bench_ts('2019-02-01', interval '7 years 9 months'),
       bench_one('{1,2,3,3,4,4,4,5,5,5,5,5}')::smallint,
       initcap(bench_text(2 + floor(random() * 6)::int)),
       bench_text(10 + floor(random() * random() * 120)::int),
       bench_one('{en,en,en,en,en,de,fr,es,it,nl}'),
       floor(random() * random() * 60)::int,
       random() < 0.8
FROM generate_series(1, :reviews) g;

CREATE INDEX customers_email_idx ON customers (email);
CREATE INDEX customers_name_idx ON customers (last_name, first_name);
CREATE INDEX customers_created_idx ON customers (created_at);
CREATE INDEX orders_customer_idx ON orders (customer_id, created_at);
CREATE INDEX orders_status_idx ON orders (status) WHERE status IN ('pending', 'paid');
CREATE INDEX events_occurred_idx ON events (occurred_at);
CREATE INDEX events_type_idx ON events ((doc ->> 'type'), occurred_at);
CREATE INDEX events_doc_idx ON events USING gin (doc jsonb_path_ops);
CREATE INDEX reviews_customer_idx ON reviews (customer_id);
CREATE INDEX reviews_order_idx ON reviews (order_id);

DROP FUNCTION bench_text(int, int);
DROP FUNCTION bench_ts(timestamptz, interval);
DROP FUNCTION bench_one(text[]);
DROP TABLE bench_vocab;
VACUUM (ANALYZE);
