package dev.custos.connectors.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The DEFINER rewrite of a restore: each form a dump writes, what must stay, and any chunking of the stream. */
class DefinerFilterTest {

    private static final String VIEW = """
            /*!50001 CREATE ALGORITHM=UNDEFINED */
            /*!50013 DEFINER=`custos`@`%` SQL SECURITY DEFINER */
            /*!50001 VIEW `v` AS select 'DEFINER=`x`@`y`' AS `a` from `t` */;
            """;
    private static final String VIEW_REWRITTEN = """
            /*!50001 CREATE ALGORITHM=UNDEFINED */
            /*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */
            /*!50001 VIEW `v` AS select 'DEFINER=`x`@`y`' AS `a` from `t` */;
            """;
    private static final String TRIGGER = "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER tr"
            + " BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 'CREATE DEFINER=`a`@`b`' */;;\n";
    private static final String TRIGGER_REWRITTEN = "/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER tr"
            + " BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 'CREATE DEFINER=`a`@`b`' */;;\n";
    private static final String PROCEDURE = "CREATE DEFINER=`app`@`10.0.%` PROCEDURE `p`(IN x INT)\nSELECT x\n;;\n";
    private static final String PROCEDURE_REWRITTEN = "CREATE DEFINER=CURRENT_USER PROCEDURE `p`(IN x INT)\nSELECT x\n;;\n";
    private static final String FUNCTION = "CREATE DEFINER=`app`@`localhost` FUNCTION `f`() RETURNS int(11)\n"
            + "    DETERMINISTIC\nRETURN 1\n;;\n";
    private static final String FUNCTION_REWRITTEN = "CREATE DEFINER=CURRENT_USER FUNCTION `f`() RETURNS int(11)\n"
            + "    DETERMINISTIC\nRETURN 1\n;;\n";
    private static final String EVENT = "/*!50106 CREATE*/ /*!50117 DEFINER=`ops`@`%`*/ /*!50106 EVENT `ev` ON SCHEDULE"
            + " EVERY 1 DAY STARTS '2026-01-01 00:00:00' ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM t WHERE 0 \n"
            + "*/ ;;\n";
    private static final String EVENT_REWRITTEN = "/*!50106 CREATE*/ /*!50117 DEFINER=CURRENT_USER*/ /*!50106 EVENT `ev`"
            + " ON SCHEDULE EVERY 1 DAY STARTS '2026-01-01 00:00:00' ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM t"
            + " WHERE 0 \n*/ ;;\n";
    /** Rows whose values look like DEFINER clauses, one of them after a raw newline inside a quoted value. */
    private static final String DATA = "INSERT INTO `t` VALUES\n"
            + "(1,'/*!50013 DEFINER=`a`@`b` SQL SECURITY DEFINER */'),\n"
            + "(2,'it''s;\nCREATE DEFINER=`a`@`b` PROCEDURE p() ;'),\n"
            + "(3,'back\\\\'),(4,'\\';\nCREATE DEFINER=`a`@`b` FUNCTION'),(5,\"q\\\";\n/*!50017 DEFINER=`a`@`b`*/\");\n"
            + "REPLACE INTO `t` VALUES (6,'\n/*!50117 DEFINER=`a`@`b`*/');\n";

    @Test
    void rewritesTheClauseOfAView() throws IOException {
        assertThat(filter(VIEW)).isEqualTo(VIEW_REWRITTEN);
    }

    @Test
    void rewritesTheClauseOfATrigger() throws IOException {
        assertThat(filter(TRIGGER)).isEqualTo(TRIGGER_REWRITTEN);
    }

    @Test
    void rewritesTheClauseOfAProcedureAndAFunction() throws IOException {
        assertThat(filter(PROCEDURE)).isEqualTo(PROCEDURE_REWRITTEN);
        assertThat(filter(FUNCTION)).isEqualTo(FUNCTION_REWRITTEN);
    }

    @Test
    void rewritesTheClauseOfAnEvent() throws IOException {
        assertThat(filter(EVENT)).isEqualTo(EVENT_REWRITTEN);
    }

    @Test
    void rewritesNamesWithEscapedQuotesAndEveryHostForm() throws IOException {
        assertThat(filter("/*!50013 DEFINER=`we``ird`@`h``ost` SQL SECURITY DEFINER */\n"))
                .isEqualTo("/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */\n");
        assertThat(filter("/*!50017 DEFINER=`app`@'%'*/ /*!50003 TRIGGER x */;;\n"))
                .isEqualTo("/*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER x */;;\n");
        assertThat(filter("CREATE DEFINER='o\\'neil'@'%' PROCEDURE p() SELECT 1;\n"))
                .isEqualTo("CREATE DEFINER=CURRENT_USER PROCEDURE p() SELECT 1;\n");
        assertThat(filter("CREATE DEFINER=\"a\"\"b\"@\"%\" FUNCTION f() RETURNS INT RETURN 1;\n"))
                .isEqualTo("CREATE DEFINER=CURRENT_USER FUNCTION f() RETURNS INT RETURN 1;\n");
        assertThat(filter("CREATE OR REPLACE ALGORITHM=MERGE DEFINER=root@localhost SQL SECURITY DEFINER VIEW v AS SELECT 1;\n"))
                .isEqualTo("CREATE OR REPLACE ALGORITHM=MERGE DEFINER=CURRENT_USER SQL SECURITY DEFINER VIEW v AS SELECT 1;\n");
        assertThat(filter("CREATE DEFINER=`Müller`@`höst` PROCEDURE p() SELECT 1;\n"))
                .isEqualTo("CREATE DEFINER=CURRENT_USER PROCEDURE p() SELECT 1;\n");
    }

    @Test
    void rewritesARoleDefinerWhichHasNoHost() throws IOException {
        assertThat(filter("/*!50013 DEFINER=`reporting` SQL SECURITY DEFINER */\n"))
                .isEqualTo("/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */\n");
    }

    @Test
    void leavesCurrentUserAndTextThatIsNoClauseAlone() throws IOException {
        String text = "/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */\n"
                + "CREATE DEFINER=CURRENT_USER() PROCEDURE p() SELECT 1;\n"
                + "-- DEFINER=`a`@`b` in a comment\n"
                + "SELECT 'x' AS `DEFINER=`;\n"
                + "  SET @x = 'CREATE DEFINER=`a`@`b`';\n"
                + "CREATE TABLE `definer` (`DEFINER` int);\n";

        DefinerFilter filter = new DefinerFilter(bytes(text));
        assertThat(new String(filter.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(filter.rewritten()).isZero();
    }

    @Test
    void neverRewritesRowData() throws IOException {
        assertThat(filter(DATA)).isEqualTo(DATA);
        assertThat(filter(DATA + VIEW)).isEqualTo(DATA + VIEW_REWRITTEN);
    }

    @Test
    void aFiveMegabyteInsertLinePassesUnchangedWithBoundedMemory() throws IOException {
        StringBuilder insert = new StringBuilder("INSERT INTO `big` VALUES ");
        int row = 0;
        while (insert.length() < 5 * 1024 * 1024) {
            insert.append(row == 0 ? "" : ",").append('(').append(row++)
                    .append(",'/*!50013 DEFINER=`a`@`b` */ CREATE DEFINER=`a`@`b` ; it''s \\' \\n',0x00FF)");
        }
        String text = VIEW + insert + ";\n" + PROCEDURE;

        DefinerFilter filter = new DefinerFilter(bytes(text));
        byte[] out = filter.readAllBytes();

        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(VIEW_REWRITTEN + insert + ";\n" + PROCEDURE_REWRITTEN);
        assertThat(filter.rewritten()).isEqualTo(2);
        assertThat(filter.maxBuffered()).isLessThan(256 * 1024);
    }

    @Test
    void aDdlLineLongerThanTheBufferHasItsClauseRewrittenAndItsTailPassed() throws IOException {
        String body = "x".repeat(DefinerFilter.MAX_LINE * 3);
        String text = "/*!50003 CREATE*/ /*!50017 DEFINER=`a`@`b`*/ /*!50003 TRIGGER t BEFORE INSERT ON t FOR EACH ROW SET @a = '"
                + body + "' */;;\n" + PROCEDURE;

        DefinerFilter filter = new DefinerFilter(bytes(text));

        assertThat(new String(filter.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(
                "/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER t BEFORE INSERT ON t FOR EACH ROW SET"
                        + " @a = '" + body + "' */;;\n" + PROCEDURE_REWRITTEN);
        assertThat(filter.maxBuffered()).isLessThan(256 * 1024);
    }

    @Test
    void aLastLineWithoutNewlineIsRewrittenToo() throws IOException {
        assertThat(filter("/*!50013 DEFINER=`a`@`b` SQL SECURITY DEFINER */"))
                .isEqualTo("/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */");
        assertThat(filter("")).isEmpty();
    }

    @Test
    void keepsEveryByteOfTheRestAsItWas() throws IOException {
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes("CREATE DEFINER=`a`@`b` PROCEDURE p() SELECT '".getBytes(StandardCharsets.UTF_8));
        text.writeBytes(everyByte);
        text.writeBytes("';\n-- Grüße 🎉\r\n".getBytes(StandardCharsets.UTF_8));

        byte[] out = new DefinerFilter(new ByteArrayInputStream(text.toByteArray())).readAllBytes();

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes("CREATE DEFINER=CURRENT_USER PROCEDURE p() SELECT '".getBytes(StandardCharsets.UTF_8));
        expected.writeBytes(everyByte);
        expected.writeBytes("';\n-- Grüße 🎉\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(out).isEqualTo(expected.toByteArray());
    }

    @Test
    void oneByteAtATimeGivesTheSameResult() throws IOException {
        String dump = dump();
        byte[] whole = new DefinerFilter(bytes(dump)).readAllBytes();

        DefinerFilter filter = new DefinerFilter(new Trickle(dump.getBytes(StandardCharsets.UTF_8), new Random(0), 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = filter.read()) != -1) {
            out.write(b);
        }

        assertThat(out.toByteArray()).isEqualTo(whole);
        assertThat(new String(whole, StandardCharsets.UTF_8)).isEqualTo(rewrittenDump());
        assertThat(filter.rewritten()).isEqualTo(6);
    }

    @Test
    void chunkBoundariesAnywhereGiveTheSameResult() throws IOException {
        byte[] dump = dump().getBytes(StandardCharsets.UTF_8);
        byte[] expected = rewrittenDump().getBytes(StandardCharsets.UTF_8);
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int maxChunk = 1 + random.nextInt(round % 3 == 0 ? 8 : 2 * DefinerFilter.MAX_LINE);
            DefinerFilter filter = new DefinerFilter(new Trickle(dump, random, maxChunk));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 + random.nextInt(4096)];
            int n;
            while ((n = filter.read(buffer, 0, 1 + random.nextInt(buffer.length))) != -1) {
                out.write(buffer, 0, n);
            }

            assertThat(out.toByteArray()).as("seed %d, round %d, chunks up to %d bytes", seed, round, maxChunk)
                    .isEqualTo(expected);
        }
    }

    /** Every form and every trap, with a DDL line longer than the buffer among them. */
    private static String dump() {
        return "/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump\n" + DATA + VIEW + TRIGGER + DATA + PROCEDURE
                + FUNCTION + EVENT + "CREATE TABLE `t` (`a` text) COMMENT='" + "c".repeat(DefinerFilter.MAX_LINE + 10)
                + "';\n" + DATA + "/*!50013 DEFINER=`we``ird`@'%' SQL SECURITY INVOKER */\n" + "   \n\n" + DATA;
    }

    private static String rewrittenDump() {
        return "/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump\n" + DATA + VIEW_REWRITTEN + TRIGGER_REWRITTEN
                + DATA + PROCEDURE_REWRITTEN + FUNCTION_REWRITTEN + EVENT_REWRITTEN + "CREATE TABLE `t` (`a` text) COMMENT='"
                + "c".repeat(DefinerFilter.MAX_LINE + 10) + "';\n" + DATA
                + "/*!50013 DEFINER=CURRENT_USER SQL SECURITY INVOKER */\n" + "   \n\n" + DATA;
    }

    private static String filter(String text) throws IOException {
        return new String(new DefinerFilter(bytes(text)).readAllBytes(), StandardCharsets.UTF_8);
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Hands out its bytes in chunks of random size between 1 and {@code maxChunk}, as a network stream might. */
    private static final class Trickle extends InputStream {
        private final byte[] bytes;
        private final Random random;
        private final int maxChunk;
        private int position;

        Trickle(byte[] bytes, Random random, int maxChunk) {
            this.bytes = bytes;
            this.random = random;
            this.maxChunk = maxChunk;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + random.nextInt(maxChunk)), bytes.length - position);
            System.arraycopy(bytes, position, b, off, n);
            position += n;
            return n;
        }
    }
}
