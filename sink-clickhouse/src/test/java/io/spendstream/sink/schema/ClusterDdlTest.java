package io.spendstream.sink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterDdlTest {
    @Test
    void shouldRenderATableAsReplicatedLocalPlusDistributedShardedByTheFirstSortingKeyColumn() {
        ClusterDdl ddl = new ClusterDdl("c1");
        assertThat(ddl.render("CREATE TABLE IF NOT EXISTS d.t\n(org_id String, v UInt64)\nENGINE = ReplacingMergeTree(v)\n"
                + "ORDER BY (org_id, v)\nSETTINGS non_replicated_deduplication_window = 10000")).containsExactly(
                "CREATE TABLE IF NOT EXISTS d.t_local ON CLUSTER c1\n(org_id String, v UInt64)\n"
                        + "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', "
                        + "'{replica}', v)\nORDER BY (org_id, v)\nSETTINGS replicated_deduplication_window = 10000",
                "CREATE TABLE IF NOT EXISTS d.t ON CLUSTER c1 AS d.t_local\n"
                        + "ENGINE = Distributed(c1, d, t_local, cityHash64(org_id))");
        assertThat(ddl.render("CREATE TABLE IF NOT EXISTS d.u AS d.t")).as("a copy gets its own replication path")
                .containsExactly(
                        "CREATE TABLE IF NOT EXISTS d.u_local ON CLUSTER c1\n(org_id String, v UInt64)\n"
                                + "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', "
                                + "'{replica}', v)\nORDER BY (org_id, v)\nSETTINGS replicated_deduplication_window = 10000",
                        "CREATE TABLE IF NOT EXISTS d.u ON CLUSTER c1 AS d.u_local\n"
                                + "ENGINE = Distributed(c1, d, u_local, cityHash64(org_id))");
    }

    @Test
    void shouldPutViewsDatabasesAndAltersOnTheClusterAndColumnChangesOnBothTables() {
        ClusterDdl ddl = new ClusterDdl("c1");
        assertThat(ddl.render("CREATE DATABASE IF NOT EXISTS d")).containsExactly("CREATE DATABASE IF NOT EXISTS d ON CLUSTER c1");
        assertThat(ddl.render("CREATE VIEW IF NOT EXISTS d.v AS\nSELECT * FROM d.t FINAL"))
                .containsExactly("CREATE VIEW IF NOT EXISTS d.v ON CLUSTER c1 AS\nSELECT * FROM d.t FINAL");
        assertThat(ddl.render("ALTER TABLE d.t\n    ADD COLUMN IF NOT EXISTS x Int64 AFTER v")).containsExactly(
                "ALTER TABLE d.t_local ON CLUSTER c1\n    ADD COLUMN IF NOT EXISTS x Int64 AFTER v",
                "ALTER TABLE d.t ON CLUSTER c1\n    ADD COLUMN IF NOT EXISTS x Int64 AFTER v");
        assertThat(ddl.render("ALTER TABLE d.t REMOVE TTL")).containsExactly("ALTER TABLE d.t_local ON CLUSTER c1 REMOVE TTL");
    }

    @Test
    void shouldRefuseWhatItCannotRenderAndBadClusterNames() {
        ClusterDdl ddl = new ClusterDdl("c1");
        assertThatThrownBy(() -> ddl.render("DROP TABLE d.t")).isInstanceOf(MigrationException.class)
                .hasMessageContaining("no cluster form");
        assertThatThrownBy(() -> ddl.render("CREATE TABLE IF NOT EXISTS d.x AS d.unknown"))
                .isInstanceOf(MigrationException.class).hasMessageContaining("copied before it is created");
        assertThatThrownBy(() -> new ClusterDdl("c1; DROP")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRenderEveryShippedMigrationAndLeaveTheSingleServerFormAndChecksumsAsTheyWere() {
        List<Migration> shipped = Migrations.loadClasspath();
        Map<Integer, List<String>> single = new Migrations(null, "db", shipped).statements();
        for (Migration m : shipped) {
            assertThat(single.get(m.version())).as("single server: the migration's own text")
                    .isEqualTo(m.statements("db"));
        }
        Map<Integer, List<String>> cluster = new Migrations(null, "db", "spendstream", shipped).statements();
        assertThat(cluster.keySet()).containsExactly(0, 1, 2, 3, 4, 5);
        cluster.values().stream().flatMap(List::stream).forEach(s -> assertThat(s).contains("ON CLUSTER spendstream")
                .doesNotContain("non_replicated"));
        assertThat(String.join("\n", cluster.get(1))).contains("db.spend_rollups_hour_local ON CLUSTER",
                "Distributed(spendstream, db, spend_rollups_day_local, cityHash64(org_id))");
        assertThat(String.join("\n", cluster.get(0))).contains("cityHash64(version)");
        // The checksums V001..V005 have in installations made before the cluster form: the files did not change.
        assertThat(shipped).extracting(Migration::checksum).containsExactly(
                "6692f02c20e19d7a64bf8239c76b2d0b3dc12d3ab6cdbcef4d13f1a3c7a23419",
                "0c99dd1f13ed0a495671d064a670189b50e27f7f4537efd7a5d3857efbc8e3b9",
                "3551784cb8920b039dfbcf8b617026b05c9f96668213174ba67c01015f6e2d23",
                "cbee35fb224fb90a9adfc6417d60475a5c9dde51799f98c6cd05087aacdf3003",
                "413da4a5fc26b0c36b291b7bade4fc6c66814ac9997b6b13ec1bbecba496189d");
    }
}
