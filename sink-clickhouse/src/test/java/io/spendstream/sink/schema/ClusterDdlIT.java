package io.spendstream.sink.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.sink.transport.ChdbTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every statement of the cluster form is SQL that ClickHouse parses: the embedded engine (26.5) formats
 * each with {@code formatQuery}, which fails on a syntax error. (The engine has no cluster, so this checks
 * the grammar, not the replication; docker/clickhouse-cluster runs it on two replicas.) The single-server
 * form is run for real by the other chDB ITs.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterDdlIT {
    @TempDir
    Path dir;

    @Test
    void shouldGenerateOnlyStatementsClickHouseParses() {
        try (ChdbTransport ch = ChdbTransport.open(dir.resolve("ch"))) {
            Map<Integer, List<String>> cluster = new Migrations(ch, "spendstream", "spendstream",
                    Migrations.loadClasspath()).statements();
            int checked = 0;
            for (List<String> statements : cluster.values()) {
                for (String statement : statements) {
                    String formatted = new String(ch.query("SELECT formatQuery({q:String})", "TabSeparatedRaw",
                            Map.of("q", statement)), StandardCharsets.UTF_8).strip();
                    assertThat(formatted).as(statement).contains("ON CLUSTER spendstream");
                    checked++;
                }
            }
            assertThat(checked).as("database and migrations table, 4 tables of 2, 3 views, 2 ALTERs").isEqualTo(3 + 2 * 3 + 2 + 2 + 3 + 2);
        }
    }
}
