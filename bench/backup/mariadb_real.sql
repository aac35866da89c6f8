-- The realistic-entropy MariaDB dataset of bench/backup (issue 4, point 7): the same shop as pg_real.sql
-- (customers, orders, click events as JSON, reviews, with their indexes), with the same row counts and the
-- same kinds of values, generated server-side so that mariadb-dump's output is about as large and as
-- compressible as pg_dump's of the PostgreSQL dataset.
-- This is a template: bench/backup/mariadb_expand.awk replaces
--   @CUSTOMERS@ @ORDERS@ @EVENTS@ @REVIEWS@   the row counts (the seq_1_to_N tables of the sequence engine);
--   WORD(top)          one word of the vocabulary (vocab.awk) among its first `top`, Zipf-like: an inline
--                      ELT(FLOOR(POW(top, RAND())), 'w0', 'w1', ...), evaluated per row, ~0.2 us a word;
--   TEXT(n, max, top)  CONCAT_WS(' ', IF(1 <= n, WORD(top), NULL), ..., IF(max <= n, WORD(top), NULL)): n words,
--                      n a column of the derived table (RAND() there is evaluated once per row: MariaDB does
--                      not merge a derived table that calls RAND()).
-- A stored function around ELT costs ~140 us a call here (700 times the inline ELT): none is used.
SET SESSION rand_seed1 = 20261123, rand_seed2 = 4;
SET SESSION unique_checks = 0, foreign_key_checks = 0;

CREATE TABLE customers (
    id               BIGINT PRIMARY KEY,
    public_id        CHAR(36) NOT NULL,
    first_name       VARCHAR(64) NOT NULL,
    last_name        VARCHAR(64) NOT NULL,
    email            VARCHAR(255) NOT NULL,
    phone            VARCHAR(32),
    street           VARCHAR(255) NOT NULL,
    city             VARCHAR(128) NOT NULL,
    postcode         VARCHAR(16) NOT NULL,
    country          CHAR(2) NOT NULL,
    birth_date       DATE,
    created_at       DATETIME(6) NOT NULL,
    updated_at       DATETIME(6) NOT NULL,
    balance          DECIMAL(12, 2) NOT NULL,
    loyalty_points   INT NOT NULL,
    status           VARCHAR(16) NOT NULL,
    marketing_opt_in BOOLEAN NOT NULL,
    notes            TEXT,
    api_key          CHAR(32) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

INSERT INTO customers
SELECT g,
       CONCAT_WS('-', SUBSTR(u, 1, 8), SUBSTR(u, 9, 4), CONCAT('4', SUBSTR(u, 14, 3)), SUBSTR(u, 17, 4), SUBSTR(u, 21, 12)),
       CONCAT(UPPER(LEFT(f, 1)), SUBSTRING(f, 2)), CONCAT(UPPER(LEFT(l, 1)), SUBSTRING(l, 2)),
       CONCAT(f, IF(RAND() < 0.5, '.', '_'), l, IF(RAND() < 0.6, FLOOR(RAND() * 1000), ''), '@', WORD(400),
              ELT(1 + FLOOR(RAND() * 9), '.com', '.com', '.com', '.net', '.org', '.io', '.de', '.fr', '.co.uk')),
       IF(RAND() < 0.85, CONCAT('+', 1 + FLOOR(RAND() * 98), ' ', LPAD(FLOOR(RAND() * 1e9), 9, '0')), NULL),
       CONCAT(1 + FLOOR(RAND() * 2000), ' ', UPPER(LEFT(sw, 1)), SUBSTRING(sw, 2), ' ',
              ELT(1 + FLOOR(RAND() * 8), 'Street', 'Road', 'Avenue', 'Lane', 'Way', 'Drive', 'Place', 'Court')),
       CONCAT(UPPER(LEFT(cw, 1)), SUBSTRING(cw, 2)),
       LPAD(FLOOR(RAND() * 100000), 5, '0'),
       ELT(1 + FLOOR(RAND() * 30), 'US', 'US', 'US', 'US', 'GB', 'GB', 'DE', 'DE', 'FR', 'FR', 'ES', 'IT', 'NL', 'SE', 'PL',
           'CA', 'CA', 'AU', 'BR', 'JP', 'IN', 'MX', 'IE', 'BE', 'CH', 'AT', 'DK', 'NO', 'PT', 'NZ'),
       IF(RAND() < 0.7, DATE '1950-01-01' + INTERVAL FLOOR(RAND() * 20000) DAY, NULL),
       c, c + INTERVAL FLOOR(RAND() * TIMESTAMPDIFF(MICROSECOND, c, TIMESTAMP '2026-11-01 00:00:00')) MICROSECOND,
       ROUND(RAND() * RAND() * 5000, 2),
       FLOOR(RAND() * RAND() * 20000),
       ELT(1 + FLOOR(RAND() * 9), 'active', 'active', 'active', 'active', 'active', 'active', 'inactive', 'suspended', 'pending'),
       RAND() < 0.3,
       IF(RAND() < 0.35, TEXT(nn, 22, 6000), NULL),
       MD5(RAND())
FROM (SELECT seq AS g, MD5(RAND()) AS u, WORD(2000) AS f, WORD(4000) AS l, WORD(3000) AS sw, WORD(1500) AS cw,
             TIMESTAMP '2016-01-01 00:00:00' + INTERVAL FLOOR(RAND() * 315532800000000) MICROSECOND AS c,
             3 + FLOOR(RAND() * 20) AS nn
      FROM seq_1_to_@CUSTOMERS@) s;

CREATE TABLE orders (
    id               BIGINT PRIMARY KEY,
    customer_id      BIGINT NOT NULL,
    created_at       DATETIME(6) NOT NULL,
    updated_at       DATETIME(6) NOT NULL,
    status           VARCHAR(16) NOT NULL,
    currency         CHAR(3) NOT NULL,
    subtotal         DECIMAL(10, 2) NOT NULL,
    tax              DECIMAL(10, 2) NOT NULL,
    shipping         DECIMAL(8, 2) NOT NULL,
    total            DECIMAL(10, 2) NOT NULL,
    item_count       INT NOT NULL,
    coupon           VARCHAR(32),
    tracking_number  VARCHAR(32),
    shipping_address VARCHAR(255) NOT NULL,
    gift_message     TEXT
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

INSERT INTO orders
SELECT g, 1 + FLOOR(POW(RAND(), 1.5) * @CUSTOMERS@),
       c, c + INTERVAL FLOOR(RAND() * 1728000000000) MICROSECOND,
       st, ELT(1 + FLOOR(RAND() * 9), 'USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'),
       sub, ROUND(sub * 0.2, 2), ship, sub + ROUND(sub * 0.2, 2) + ship,
       1 + FLOOR(RAND() * RAND() * 12),
       IF(RAND() < 0.15, CONCAT(UPPER(WORD(300)), 5 * (1 + FLOOR(RAND() * 8))), NULL),
       IF(st IN ('shipped', 'delivered'), CONCAT(UPPER(SUBSTR(MD5(RAND()), 1, 2)), LPAD(FLOOR(RAND() * 1e9), 9, '0'), 'GB'), NULL),
       CONCAT(1 + FLOOR(RAND() * 2000), ' ', UPPER(LEFT(sw, 1)), SUBSTRING(sw, 2), ' ',
              ELT(1 + FLOOR(RAND() * 6), 'Street', 'Road', 'Avenue', 'Lane', 'Way', 'Drive'), ', ',
              LPAD(FLOOR(RAND() * 100000), 5, '0'), ' ', UPPER(LEFT(cw, 1)), SUBSTRING(cw, 2)),
       IF(RAND() < 0.08, TEXT(ng, 15, 6000), NULL)
FROM (SELECT seq AS g,
             TIMESTAMP '2019-01-01 00:00:00' + INTERVAL FLOOR(RAND() * 247190400000000) MICROSECOND AS c,
             ELT(1 + FLOOR(RAND() * 11), 'delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'shipped',
                 'shipped', 'paid', 'pending', 'cancelled', 'refunded') AS st,
             ROUND(5 + RAND() * RAND() * 800, 2) AS sub,
             ROUND(RAND() * 25, 2) AS ship,
             WORD(3000) AS sw, WORD(1500) AS cw,
             4 + FLOOR(RAND() * 12) AS ng
      FROM seq_1_to_@ORDERS@) s;

CREATE TABLE events (
    id          BIGINT PRIMARY KEY,
    occurred_at DATETIME(6) NOT NULL,
    customer_id BIGINT,
    doc         JSON NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

INSERT INTO events
SELECT g, TIMESTAMP '2025-06-01 00:00:00' + INTERVAL FLOOR(RAND() * 44668800000000) MICROSECOND,
       IF(RAND() < 0.8, 1 + FLOOR(RAND() * @CUSTOMERS@), NULL),
       JSON_OBJECT(
           'type', ELT(1 + FLOOR(RAND() * 14), 'page_view', 'page_view', 'page_view', 'page_view', 'click', 'click', 'search',
                       'add_to_cart', 'remove_from_cart', 'checkout', 'login', 'logout', 'signup', 'error'),
           'session', SUBSTR(MD5(RAND()), 1, 20),
           'ip', CONCAT_WS('.', 1 + FLOOR(RAND() * 223), FLOOR(RAND() * 256), FLOOR(RAND() * 256), FLOOR(RAND() * 256)),
           'user_agent', ELT(1 + FLOOR(RAND() * 7),
               'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
               'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
               'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
               'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
               'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
               'okhttp/4.12.0', 'curl/8.5.0'),
           'path', CONCAT('/', WORD(300), '/', WORD(2000), '/', FLOOR(RAND() * 100000)),
           'referrer', IF(RAND() < 0.4, CONCAT('https://', WORD(500), ELT(1 + FLOOR(RAND() * 3), '.com', '.net', '.org'), '/', WORD(6000)), NULL),
           'tags', JSON_COMPACT(CONCAT('["', REPLACE(TEXT(nt, 4, 1000), ' ', '","'), '"]')),
           'props', JSON_OBJECT(
               'amount', ROUND(RAND() * RAND() * 500, 2),
               'quantity', 1 + FLOOR(RAND() * 5),
               'sku', UPPER(SUBSTR(MD5(RAND()), 1, 10)),
               'query', IF(RAND() < 0.3, TEXT(nq, 4, 6000), NULL)),
           'ok', JSON_EXTRACT(IF(RAND() < 0.97, 'true', 'false'), '$'),
           'duration_ms', FLOOR(RAND() * RAND() * 3000))
FROM (SELECT seq AS g, 1 + FLOOR(RAND() * 4) AS nt, 1 + FLOOR(RAND() * 4) AS nq FROM seq_1_to_@EVENTS@) s;

CREATE TABLE reviews (
    id            BIGINT PRIMARY KEY,
    customer_id   BIGINT NOT NULL,
    order_id      BIGINT NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    rating        SMALLINT NOT NULL,
    title         VARCHAR(255) NOT NULL,
    body          TEXT NOT NULL,
    language      CHAR(2) NOT NULL,
    helpful_votes INT NOT NULL,
    verified      BOOLEAN NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

INSERT INTO reviews
SELECT g, 1 + FLOOR(RAND() * @CUSTOMERS@), 1 + FLOOR(RAND() * @ORDERS@),
       TIMESTAMP '2019-02-01 00:00:00' + INTERVAL FLOOR(RAND() * 244512000000000) MICROSECOND,
       ELT(1 + FLOOR(RAND() * 12), 1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5, 5),
       CONCAT(UPPER(LEFT(title, 1)), SUBSTRING(title, 2)),
       TEXT(nb, 129, 6000),
       ELT(1 + FLOOR(RAND() * 10), 'en', 'en', 'en', 'en', 'en', 'de', 'fr', 'es', 'it', 'nl'),
       FLOOR(RAND() * RAND() * 60),
       RAND() < 0.8
FROM (SELECT g, nb, TEXT(ntitle, 7, 6000) AS title
      FROM (SELECT seq AS g, 10 + FLOOR(RAND() * RAND() * 120) AS nb, 2 + FLOOR(RAND() * 6) AS ntitle
            FROM seq_1_to_@REVIEWS@) s0) s;

ALTER TABLE customers ADD INDEX customers_email_idx (email), ADD INDEX customers_name_idx (last_name, first_name),
    ADD INDEX customers_created_idx (created_at);
ALTER TABLE orders ADD INDEX orders_customer_idx (customer_id, created_at), ADD INDEX orders_status_idx (status);
ALTER TABLE events ADD COLUMN event_type VARCHAR(32) AS (JSON_VALUE(doc, '$.type')) VIRTUAL,
    ADD INDEX events_occurred_idx (occurred_at), ADD INDEX events_type_idx (event_type, occurred_at);
ALTER TABLE reviews ADD INDEX reviews_customer_idx (customer_id), ADD INDEX reviews_order_idx (order_id);
ANALYZE TABLE customers, orders, events, reviews;
