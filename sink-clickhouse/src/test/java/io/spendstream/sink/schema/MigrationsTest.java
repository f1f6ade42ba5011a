package io.spendstream.sink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.sink.transport.ClickHouseTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MigrationsTest {
    @Test
    void shouldLoadShippedMigrationsInVersionOrderAndListEveryFile() throws Exception {
        List<Migration> ms = Migrations.loadClasspath();
        assertThat(ms).extracting(Migration::version).containsExactly(1, 2, 3, 4, 5);
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migrations"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")))
                    .as("every migration file is listed in migrations.list")
                    .hasSize(ms.size());
        }
        for (Migration m : ms) {
            for (String s : m.statements("db1")) {
                assertThat(s).as("idempotent DDL").containsAnyOf("IF NOT EXISTS");
                assertThat(s).doesNotContain("${database}").doesNotEndWith(";");
            }
        }
    }

    @Test
    void shouldSortByVersionAndRejectDuplicateVersions() {
        Migration b = Migration.parse("V010__b.sql", "SELECT 2;");
        Migration a = Migration.parse("V002__a.sql", "SELECT 1;");
        assertThat(Migrations.ordered(List.of(b, a))).extracting(Migration::name).containsExactly("a", "b");
        assertThatThrownBy(() -> Migrations.ordered(List.of(a, Migration.parse("V002__other.sql", "SELECT 3;"))))
                .isInstanceOf(MigrationException.class).hasMessageContaining("two migrations with version 2");
        assertThatThrownBy(() -> Migration.parse("002_bad.sql", "")).isInstanceOf(MigrationException.class);
    }

    @Test
    void shouldSplitStatementsAndSkipComments() {
        Migration m = Migration.parse("V001__x.sql", "-- comment;\nCREATE TABLE IF NOT EXISTS ${database}.t\n(a Int8);\n\n"
                + "CREATE VIEW IF NOT EXISTS ${database}.v AS SELECT 1;\n");
        assertThat(m.statements("d")).containsExactly("CREATE TABLE IF NOT EXISTS d.t\n(a Int8)",
                "CREATE VIEW IF NOT EXISTS d.v AS SELECT 1");
    }

    @Test
    void shouldFailWhenAnAppliedMigrationChanged() {
        Migration original = Migration.parse("V001__x.sql", "SELECT 1;\n");
        Migration edited = Migration.parse("V001__x.sql", "SELECT 2;\n");
        assertThat(original.checksum()).isNotEqualTo(edited.checksum()).hasSize(64);
        Migrations migrations = new Migrations(new NoTransport(), "db", List.of(edited));
        assertThatThrownBy(() -> migrations.verify(Map.of(1, original.checksum())))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("V1__x was changed after it was applied")
                .hasMessageContaining(original.checksum());
        migrations.verify(Map.of(1, edited.checksum(), 7, "from-a-newer-build"));
    }

    private static final class NoTransport implements ClickHouseTransport {
        public void execute(String sql) { throw new UnsupportedOperationException(); }
        public void insert(String t, String f, byte[] d, String token) { throw new UnsupportedOperationException(); }
        public byte[] query(String sql, String f, Map<String, String> p) { throw new UnsupportedOperationException(); }
        public java.io.InputStream queryStream(String sql, String f, Map<String, String> p) {
            throw new UnsupportedOperationException();
        }
        public String kind() { return "none"; }
        public void close() {}
    }
}
