package dev.custos.connectors.postgres;

import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import dev.custos.engines.RealServers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What the restore and fingerprint tests share: a schema with every common kind of object, and odd streams. */
final class RestoreFixtures {

    private RestoreFixtures() {
    }

    /** The hex of the bytes 0x00 to 0xff in order: what the bytea column holds. */
    static final String ALL_BYTES_HEX;

    static {
        StringBuilder hex = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            hex.append(String.format("%02x", b));
        }
        ALL_BYTES_HEX = hex.toString();
    }

    /**
     * Every common column type (bytea with all 256 byte values, arrays, json and jsonb, an enum, a domain, a composite,
     * floats that print badly), identity and serial columns, sequences advanced past their start, views, a
     * materialized view, functions, a procedure, triggers, a partitioned table, large objects (one larger than the
     * fingerprint's 1 MiB chunk), comments, rules, policies and a second schema with a name that needs quoting.
     */
    static final List<String> EVERYTHING = List.of(
            "CREATE SCHEMA \"Billing Dept\"",
            "COMMENT ON SCHEMA \"Billing Dept\" IS 'money lives here'",
            "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
            "CREATE DOMAIN positive_int AS integer NOT NULL CHECK (VALUE > 0)",
            "CREATE TYPE pair AS (a integer, b text)",
            "CREATE TABLE everything ("
                    + " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                    + " serial_no serial,"
                    + " small smallint, big bigint, num numeric(30, 10), real_v real, double_v double precision,"
                    + " money_v money, txt text, vc varchar(20), ch char(5), bool_v boolean,"
                    + " d date, t time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,"
                    + " u uuid, j json, jb jsonb, x xml, b bytea, arr integer[], tarr text[], m mood, p positive_int,"
                    + " pr pair, inet_v inet, cidr_v cidr, mac macaddr, bits bit(8), vbits varbit, pt point,"
                    + " rng int4range, tsv tsvector,"
                    + " doubled bigint GENERATED ALWAYS AS (big * 2) STORED)",
            "INSERT INTO everything (small, big, num, real_v, double_v, money_v, txt, vc, ch, bool_v, d, t, ttz, ts,"
                    + " tstz, iv, u, j, jb, x, b, arr, tarr, m, p, pr, inet_v, cidr_v, mac, bits, vbits, pt, rng, tsv)"
                    + " VALUES"
                    + " (-32768, 4611686018427387903, 12345678901234567890.0123456789, 0.1, 0.1, 1234.56,"
                    + "  'Zoë ✓ \"quoted\" and ''single'' \\ backslash', 'short', 'ab', true, '2024-02-29',"
                    + "  '23:59:59.999999', '12:00+05:30', '1999-12-31 23:59:59.5', '2024-03-10 02:30:00+01',"
                    + "  '1 year 2 months 3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                    + "  '{\"b\": 1,  \"a\": [1, 2]}', '{\"b\": 1, \"a\": [1, 2]}', '<a x=\"1\">text</a>',"
                    + "  (SELECT decode(string_agg(lpad(to_hex(g), 2, '0'), '' ORDER BY g), 'hex')"
                    + "   FROM generate_series(0, 255) g),"
                    + "  '{1, NULL, 3}', '{\"with space\", \"quote\\\"d\", NULL}', 'happy', 42, ROW(1, 'one'),"
                    + "  '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', B'10101010', B'101', '(1.5, -2.25)',"
                    + "  '[1, 10)', 'a fat cat sat on a mat'),"
                    + " (0, 0, 'NaN', 'NaN', '-Infinity', -0.01, '', NULL, NULL, false, 'infinity', '00:00', NULL,"
                    + "  '-infinity', 'epoch', '-1 day', NULL, 'null', '[]', NULL, '\\x', '{}', '{}', 'sad', 1, NULL,"
                    + "  '::1', '::/0', NULL, B'00000000', B'', NULL, 'empty', ''),"
                    + " (NULL, NULL, NULL, 3.4028235e38, 1e-300, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'ok', 7, NULL, NULL, NULL, NULL, NULL,"
                    + "  NULL, NULL, NULL, NULL)",
            "INSERT INTO everything (txt, m, p, double_v) SELECT 'row ' || g, 'ok', g, g / 7.0"
                    + " FROM generate_series(1, 500) g",
            "CREATE UNIQUE INDEX everything_txt_lower ON everything (lower(txt)) WHERE txt <> ''",
            "CREATE INDEX everything_jb ON everything USING gin (jb)",
            "COMMENT ON TABLE everything IS 'one of each'",
            "COMMENT ON COLUMN everything.b IS 'all 256 byte values'",
            "CREATE SEQUENCE \"Billing Dept\".invoice_no START 1000 INCREMENT 1",
            "SELECT nextval('\"Billing Dept\".invoice_no') FROM generate_series(1, 7)",
            "CREATE SEQUENCE countdown START 10 INCREMENT -2 MINVALUE 0 MAXVALUE 10",
            "CREATE TABLE \"Billing Dept\".\"Invoices\" (no integer PRIMARY KEY DEFAULT"
                    + " nextval('\"Billing Dept\".invoice_no'), item bigint NOT NULL REFERENCES everything (id),"
                    + " amount numeric(12, 2) NOT NULL CHECK (amount >= 0), status mood NOT NULL DEFAULT 'ok',"
                    + " updated timestamptz)",
            "INSERT INTO \"Billing Dept\".\"Invoices\" (item, amount) SELECT id, id * 1.5 FROM everything"
                    + " WHERE id <= 20",
            "CREATE VIEW \"Billing Dept\".happy AS SELECT id, txt FROM everything WHERE m = 'happy'",
            "CREATE MATERIALIZED VIEW \"Billing Dept\".totals AS SELECT m, count(*) AS n, sum(p) AS p"
                    + " FROM everything GROUP BY m",
            "CREATE FUNCTION \"Billing Dept\".touch() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN NEW.updated := now(); RETURN NEW; END $$",
            "CREATE TRIGGER invoices_touch BEFORE UPDATE ON \"Billing Dept\".\"Invoices\""
                    + " FOR EACH ROW EXECUTE FUNCTION \"Billing Dept\".touch()",
            "CREATE FUNCTION total_for(mood) RETURNS numeric LANGUAGE sql STABLE"
                    + " AS $$ SELECT coalesce(sum(p), 0) FROM everything WHERE m = $1 $$",
            "COMMENT ON FUNCTION total_for(mood) IS 'sum of p by mood'",
            "CREATE PROCEDURE bump(n integer) LANGUAGE sql AS $$ SELECT nextval('countdown') $$",
            "CREATE TABLE events (id integer, at date NOT NULL, payload text) PARTITION BY RANGE (at)",
            "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
            "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
            "CREATE TABLE events_other PARTITION OF events DEFAULT",
            "INSERT INTO events SELECT g, date '2024-06-01' + g, 'event ' || g FROM generate_series(1, 400) g",
            "CREATE INDEX events_at ON events (at)",
            "CREATE RULE no_delete_events AS ON DELETE TO events_other DO INSTEAD NOTHING",
            "ALTER TABLE \"Billing Dept\".\"Invoices\" ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY cheap ON \"Billing Dept\".\"Invoices\" USING (amount < 100)",
            "SELECT lo_from_bytea(424242, 'a small large object')",
            "SELECT lo_from_bytea(0, decode(repeat('00ff', 700000), 'hex'))",
            "COMMENT ON LARGE OBJECT 424242 IS 'the small one'");

    static ConnectionTarget target(String database) {
        return new ConnectionTarget(DatabaseKind.POSTGRESQL, RealServers.HOST, RealServers.POSTGRES_PORT, database,
                "postgres", null);
    }

    /** Delivers the bytes, then throws where it would end: a stored object whose SHA-256 does not match. */
    static InputStream failingAtEnd(byte[] bytes) {
        return failingAt(bytes, bytes.length, "SHA-256 of the backup does not match its manifest");
    }

    /** Delivers the first {@code at} bytes, then throws. */
    static InputStream failingAt(byte[] bytes, int at, String message) {
        return new InputStream() {
            private int position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position >= at) {
                    throw new IOException(message);
                }
                int n = Math.min(len, at - position);
                System.arraycopy(bytes, position, b, off, n);
                position += n;
                return n;
            }
        };
    }

    /**
     * Delivers the first {@code at} bytes, then waits for {@link #open} before the rest: holds a restore tool
     * mid-input for as long as a test needs to look at it.
     */
    static final class GatedInput extends InputStream {
        private final ByteArrayInputStream bytes;
        private final int at;
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch gate = new CountDownLatch(1);
        private int position;

        GatedInput(byte[] bytes, int at) {
            this.bytes = new ByteArrayInputStream(bytes);
            this.at = at;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= at) {
                reached.countDown();
                try {
                    if (!gate.await(60, TimeUnit.SECONDS)) {
                        throw new IOException("the test never opened the gate");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            int n = bytes.read(b, off, position < at ? Math.min(len, at - position) : len);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        void awaitGate() throws InterruptedException {
            if (!reached.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the restore read nothing within 60 s");
            }
        }

        void open() {
            gate.countDown();
        }
    }
}
