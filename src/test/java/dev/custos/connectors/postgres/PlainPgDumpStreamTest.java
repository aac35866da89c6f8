package dev.custos.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A plain pg_dump dump on its way to psql: large objects inside the one transaction, and a cut dump never ends. */
class PlainPgDumpStreamTest {

    private static final String HEAD = "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n\n"
            + "-- Dumped from database version 15.20\n-- Dumped by pg_dump version 15.20\n\n"
            + "SET statement_timeout = 0;\n\n";
    private static final String TABLE = "--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\n"
            + "COPY public.t (a) FROM stdin;\n1\nBEGIN;\nCOMMIT;\n\\.\n\n\n";
    private static final String LARGE_OBJECTS = "--\n-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -\n--\n\n"
            + "BEGIN;\n\nSELECT pg_catalog.lo_open('16470', 131072);\nSELECT pg_catalog.lowrite(0, '\\x616263');\n"
            + "SELECT pg_catalog.lo_close(0);\n\nCOMMIT;\n\n";
    private static final String END = "--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc\n\n";

    @Test
    void aDumpWithoutLargeObjectsPassesUnchanged() throws IOException {
        String dump = HEAD + TABLE + END;

        assertThat(filtered(dump)).isEqualTo(dump);
    }

    @Test
    void theLargeObjectsOwnTransactionIsLeftOutAndNothingElse() throws IOException {
        String dump = HEAD + TABLE + LARGE_OBJECTS + "CREATE INDEX i ON public.t (a);\n\n" + END;

        assertThat(filtered(dump)).isEqualTo(withoutLargeObjectsTransaction(dump));
        // The BEGIN; and COMMIT; rows of the table's COPY data stay as they are.
        assertThat(filtered(dump)).contains("COPY public.t (a) FROM stdin;\n1\nBEGIN;\nCOMMIT;\n\\.\n");
    }

    @Test
    void aHeadingInsideCopyDataIsData() throws IOException {
        String copy = "COPY public.t (a) FROM stdin;\n--\n-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -\n--\n"
                + "\nBEGIN;\n\\.\n\n";
        String dump = HEAD + copy + END;

        assertThat(filtered(dump)).isEqualTo(dump);
    }

    @Test
    void aDumpCutAnywhereBeforeItsClosingCommentDoesNotEnd() {
        String dump = HEAD + TABLE + LARGE_OBJECTS + END;
        int closing = dump.indexOf("-- PostgreSQL database dump complete");

        for (int cut : new int[] {HEAD.length(), dump.indexOf("1\nBEGIN;"), dump.indexOf("\\.\n") + 3,
                dump.indexOf("SELECT pg_catalog.lo_close"), closing, closing + 10}) {
            String cutDump = dump.substring(0, cut);
            assertThatThrownBy(() -> filtered(cutDump)).as("cut at %d", cut)
                    .isInstanceOf(IOException.class)
                    .hasMessage("the SQL dump ends before pg_dump's closing \"PostgreSQL database dump complete\" line:"
                            + " it is truncated");
        }
    }

    @Test
    void theClosingCommentMayEndWithoutANewline() throws IOException {
        String dump = HEAD + TABLE + "--\n-- PostgreSQL database dump complete";

        assertThat(filtered(dump)).isEqualTo(dump);
    }

    @Test
    void longLinesPassByteForByteAndALongCopyLineStartsCopyData() throws IOException {
        String columns = "c".repeat(400);
        String row = "x".repeat(100_000);
        // Rows that look like the large objects' heading: only a COPY recognised as such keeps them data.
        String dump = HEAD + "COPY public.wide (" + columns + ") FROM stdin;\n" + row
                + "\n--\n-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -\n--\n\nBEGIN;\n\\.\n\n"
                + LARGE_OBJECTS + "COMMENT ON TABLE public.wide IS '" + "y".repeat(300) + "';\n\n" + END;

        assertThat(filtered(dump)).isEqualTo(withoutLargeObjectsTransaction(dump));
    }

    @Test
    void readingOneByteAtATimeGivesTheSame() throws IOException {
        String dump = HEAD + TABLE + LARGE_OBJECTS + END;
        InputStream in = new PlainPgDumpStream(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            out.write(b);
        }

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(filtered(dump));
    }

    /** What pg_dump's large-object BEGIN and COMMIT become. */
    private static String withoutLargeObjectsTransaction(String dump) {
        return dump
                .replace("\n\nBEGIN;\n\nSELECT pg_catalog.lo_open",
                        "\n\n-- BEGIN; left out by Custos: the whole restore is one transaction\n\n"
                                + "SELECT pg_catalog.lo_open")
                .replace("lo_close(0);\n\nCOMMIT;\n",
                        "lo_close(0);\n\n-- COMMIT; left out by Custos: the whole restore is one transaction\n");
    }

    private static String filtered(String dump) throws IOException {
        InputStream in = new PlainPgDumpStream(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)));
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
