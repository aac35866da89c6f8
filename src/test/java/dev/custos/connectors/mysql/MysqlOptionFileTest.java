package dev.custos.connectors.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import org.junit.jupiter.api.Test;

/** The option file's text; MysqlDumpIT checks that the real client reads it back the same. */
class MysqlOptionFileTest {

    @Test
    void holdsTheLoginAndForcesTcp() {
        ConnectionTarget target = new ConnectionTarget(DatabaseKind.MYSQL, "db.internal", 3307, "shop", "backup", "s3cret");

        assertThat(MysqlOptionFile.render(target)).isEqualTo("""
                [client]
                user="backup"
                password="s3cret"
                host="db.internal"
                port=3307
                protocol=TCP
                """);
    }

    @Test
    void noPasswordLineWithoutAPassword() {
        ConnectionTarget target = new ConnectionTarget(DatabaseKind.MYSQL, "127.0.0.1", 0, "shop", "root", null);

        assertThat(MysqlOptionFile.render(target)).doesNotContain("password").contains("port=3306\n");
    }

    @Test
    void quotesAndEscapesWhatWouldEndOrCommentTheValue() {
        assertThat(MysqlOptionFile.quoted("a\"b\\c #d; e ")).isEqualTo("\"a\\\"b\\\\c #d; e \"");
        assertThat(MysqlOptionFile.quoted("line\nbreak\ttab")).isEqualTo("\"line\\nbreak\\ttab\"");
    }

    @Test
    void readsTheVersionOfEachFlavoursDumpToolAndClient() {
        assertThat(MysqlTool.parseVersion("mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)"))
                .isEqualTo("10.11.19");
        assertThat(MysqlTool.parseVersion("mariadb-dump from 11.4.2-MariaDB, client 10.19 for Linux (x86_64)"))
                .isEqualTo("11.4.2");
        assertThat(MysqlTool.parseVersion("mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)"))
                .isEqualTo("8.0.36");
        assertThat(MysqlTool.parseVersion("mariadb  Ver 15.1 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64) using  EditLine wrapper"))
                .isEqualTo("10.11.19");
        assertThat(MysqlTool.parseVersion("mysql  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)"))
                .isEqualTo("8.0.36");
    }
}
