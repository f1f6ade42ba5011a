package io.spendstream.chdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real libchdb (fetched by the build). One engine open at a time, as libchdb requires. */
class ChdbIT {
    @TempDir
    Path dir;

    @Test
    void shouldLoadBatchThroughFileIntoReplacingMergeTreeAndReadLatestWithFinal() {
        try (Chdb chdb = Chdb.open(dir.resolve("ch"))) {
            chdb.execute("CREATE TABLE rollup (k String, v Int64, version UInt64)"
                    + " ENGINE = ReplacingMergeTree(version) ORDER BY k");
            RowBinary first = new RowBinary();
            for (int i = 0; i < 1000; i++) {
                first.string("k" + i).int64(i).uint64(1);
            }
            assertThat(chdb.insert("rollup", "RowBinary", first.bytes()).rowsWritten()).isEqualTo(1000);
            RowBinary update = new RowBinary();
            for (int i = 0; i < 1000; i += 2) {
                update.string("k" + i).int64(i * 10L).uint64(2);
            }
            chdb.insert("rollup", "RowBinary", update.bytes());

            String rows = chdb.query("SELECT count(), sum(v) FROM rollup FINAL", "TabSeparated").text().strip();
            long expected = 0;
            for (int i = 0; i < 1000; i++) {
                expected += i % 2 == 0 ? i * 10L : i;
            }
            assertThat(rows).isEqualTo("1000\t" + expected);
            assertThat(chdb.query("SELECT count() FROM rollup", "TabSeparated").text().strip())
                    .as("without FINAL both versions may still be there").isIn("1000", "1500");
        }
    }

    @Test
    void shouldKeepDataAcrossCloseAndReopen() {
        Path path = dir.resolve("persist");
        try (Chdb chdb = Chdb.open(path)) {
            chdb.execute("CREATE TABLE t (id UInt64, name String) ENGINE = MergeTree ORDER BY id");
            chdb.insert("t", "RowBinary", new RowBinary().uint64(1).string("one").uint64(2).string("two").bytes());
        }
        try (Chdb chdb = Chdb.open(path)) {
            assertThat(chdb.query("SELECT id, name FROM t ORDER BY id", "CSV").text())
                    .isEqualTo("1,\"one\"\n2,\"two\"\n");
        }
    }

    @Test
    void shouldSurviveNullPointerExceptionsFromCompiledCodeAfterConnect() {
        try (Chdb chdb = Chdb.open(dir.resolve("npe"))) {
            assertThat(chdb.protectedSignalHandlers())
                    .as("libchdb replaces JVM signal handlers on connect; they must have been put back")
                    .isPositive();
            long caught = 0;
            for (int i = 0; i < 2_000_000; i++) {
                try {
                    caught += lengthOf(i % 3 == 0 ? null : "x");
                } catch (NullPointerException e) {
                    caught++;
                }
            }
            assertThat(caught).isEqualTo(2_000_000L);
            // The engine still works after all that.
            assertThat(chdb.query("SELECT 41 + 1", "TabSeparated").text().strip()).isEqualTo("42");
        }
    }

    private static int lengthOf(String s) {
        return s.length();
    }

    @Test
    void shouldStoreBlankLinesAndSqlTextAsDataNeverExecuteThem() {
        String hostile = "a\n\nCREATE DATABASE injected_by_file;\n\n\\'); DROP TABLE notes; --\0\t";
        try (Chdb chdb = Chdb.open(dir.resolve("inject"))) {
            chdb.execute("CREATE TABLE notes (id UInt64, body String) ENGINE = MergeTree ORDER BY id");
            chdb.insert("notes", "RowBinary", new RowBinary().uint64(1).string(hostile).bytes());
            // The same through a query parameter.
            chdb.query("INSERT INTO notes SELECT 2, {body:String}", "TabSeparated",
                    Map.of("body", hostile.replace("injected_by_file", "injected_by_param")));

            assertThat(chdb.query("SELECT name FROM system.databases WHERE name LIKE 'injected%'", "TabSeparated")
                    .text()).isEmpty();
            String read = chdb.query("SELECT body FROM notes WHERE id = {id:UInt64}", "RawBLOB", Map.of("id", "1")).text();
            assertThat(read).isEqualTo(hostile);
            assertThat(chdb.query("SELECT count() FROM notes", "TabSeparated").text().strip()).isEqualTo("2");
        }
    }

    @Test
    void shouldApplyInsertSettingsSuchAsADeduplicationToken() {
        try (Chdb chdb = Chdb.open(dir.resolve("dedup"))) {
            chdb.execute("CREATE TABLE t (id UInt64) ENGINE = MergeTree ORDER BY id"
                    + " SETTINGS non_replicated_deduplication_window = 100");
            byte[] rows = new RowBinary().uint64(1).uint64(2).bytes();
            chdb.insert("t", "RowBinary", rows, Map.of("insert_deduplication_token", "batch-1"));
            chdb.insert("t", "RowBinary", rows, Map.of("insert_deduplication_token", "batch-1")); // a retry
            chdb.insert("t", "RowBinary", rows, Map.of("insert_deduplication_token", "batch-2"));
            assertThat(chdb.query("SELECT count() FROM t", "TabSeparated").text().strip()).isEqualTo("4");
        }
    }

    @Test
    void shouldRefuseSecondDataPathWhileOneIsOpen() {
        try (Chdb chdb = Chdb.open(dir.resolve("one"))) {
            assertThatThrownBy(() -> Chdb.open(dir.resolve("two")))
                    .isInstanceOf(ChdbException.class)
                    .hasMessageContaining("one data path per process")
                    .hasMessageContaining(chdb.dataDir().toString());
        }
        // Once closed, another path can be opened.
        try (Chdb chdb = Chdb.open(dir.resolve("two"))) {
            assertThat(chdb.query("SELECT 1", "TabSeparated").text().strip()).isEqualTo("1");
        }
    }

    @Test
    void shouldReportClickHouseErrorCodeAndStayUsable() {
        try (Chdb chdb = Chdb.open(dir.resolve("errors"))) {
            assertThatThrownBy(() -> chdb.query("SELECT * FROM no_such_table", "TabSeparated"))
                    .isInstanceOfSatisfying(ChdbException.class,
                            e -> assertThat(e.errorCode()).hasValue(60)) // UNKNOWN_TABLE
                    .hasMessageContaining("no_such_table");
            assertThat(chdb.query("SELECT 2", "TabSeparated").text().strip()).isEqualTo("2");
        }
    }

    /** Minimal RowBinary encoder for the tests: little-endian integers, varint-prefixed strings. */
    static final class RowBinary {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        RowBinary uint64(long v) {
            return int64(v);
        }

        RowBinary int64(long v) {
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)) & 0xff);
            }
            return this;
        }

        RowBinary string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            long n = b.length;
            while ((n & ~0x7fL) != 0) {
                out.write((int) ((n & 0x7f) | 0x80));
                n >>>= 7;
            }
            out.write((int) n);
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
