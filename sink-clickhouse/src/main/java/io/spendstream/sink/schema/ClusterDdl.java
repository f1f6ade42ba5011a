package io.spendstream.sink.schema;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the single-server DDL of the migrations (the one description of the schema) in its ClickHouse
 * cluster form (ADR 0008). Each table {@code db.t} becomes
 * <ul>
 *   <li>{@code db.t_local ON CLUSTER c}, the same columns with {@code Replicated<Engine>} at
 *       {@value #ZOOKEEPER_PATH} / {@code '{replica}'} (the servers' macros), where the data lives, and</li>
 *   <li>{@code db.t ON CLUSTER c}, a Distributed table over it under the name the sink, the views and the
 *       queries already use, sharded by the first sorting-key column so that the rows a ReplacingMergeTree
 *       must collapse (same sorting key) always sit on one shard and FINAL stays exact.</li>
 * </ul>
 * Views and databases gain {@code ON CLUSTER}; column changes are applied to both tables, other ALTERs
 * (TTL) to the local one. A statement of another shape is refused rather than guessed at. Stateful: a
 * {@code CREATE TABLE a AS b} copies b's definition seen earlier, because copying a replicated table
 * with AS would copy its ZooKeeper path too; statements must therefore be rendered in migration order.
 */
public final class ClusterDdl {
    public static final String LOCAL_SUFFIX = "_local";
    static final String ZOOKEEPER_PATH = "/clickhouse/tables/{shard}/{database}/{table}";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DATABASE = Pattern.compile("CREATE DATABASE IF NOT EXISTS (\\w+)");
    private static final Pattern TABLE = Pattern.compile(
            "CREATE TABLE IF NOT EXISTS (\\w+)\\.(\\w+)\\s*(\\(.*\\))\\s*ENGINE = (\\w*ReplacingMergeTree)(?:\\(([^)]*)\\))?"
                    + "(\\s.*)", Pattern.DOTALL);
    private static final Pattern TABLE_AS = Pattern.compile("CREATE TABLE IF NOT EXISTS (\\w+)\\.(\\w+) AS (\\w+)\\.(\\w+)");
    private static final Pattern VIEW = Pattern.compile("CREATE VIEW IF NOT EXISTS (\\w+)\\.(\\w+)(\\s+AS\\s.*)", Pattern.DOTALL);
    private static final Pattern ALTER = Pattern.compile("ALTER TABLE (\\w+)\\.(\\w+)(\\s.*)", Pattern.DOTALL);
    private static final Pattern COLUMN_CHANGE = Pattern.compile("\\s*(ADD|DROP|MODIFY|RENAME|COMMENT) COLUMN\\s.*",
            Pattern.DOTALL);
    private static final Pattern ORDER_BY = Pattern.compile("ORDER BY \\(?\\s*(\\w+)");

    /** A table as its single-server statement describes it: columns, engine arguments and the clauses after. */
    private record Table(String columns, String engine, String engineArgs, String rest) {}

    private final String cluster;
    private final Map<String, Table> tables = new HashMap<>();

    public ClusterDdl(String cluster) {
        if (!NAME.matcher(cluster).matches()) {
            throw new IllegalArgumentException("not a cluster name: " + cluster);
        }
        this.cluster = cluster;
    }

    public String cluster() {
        return cluster;
    }

    /** The table that stores the rows of {@code table} (where TTLs and system.tables entries are). */
    public static String storageTable(String table) {
        return table + LOCAL_SUFFIX;
    }

    /** The cluster form of one single-server statement: one or more statements, in order. */
    public List<String> render(String statement) {
        Matcher m;
        if ((m = DATABASE.matcher(statement)).matches()) {
            return List.of(statement + onCluster());
        }
        if ((m = TABLE.matcher(statement)).matches()) {
            Table t = new Table(m.group(3), m.group(4), m.group(5), m.group(6));
            tables.put(m.group(1) + "." + m.group(2), t);
            return table(m.group(1), m.group(2), t);
        }
        if ((m = TABLE_AS.matcher(statement)).matches()) {
            Table source = tables.get(m.group(3) + "." + m.group(4));
            if (source == null) {
                throw new MigrationException("cluster DDL: " + m.group(3) + "." + m.group(4)
                        + " is copied before it is created: " + statement);
            }
            tables.put(m.group(1) + "." + m.group(2), source);
            return table(m.group(1), m.group(2), source);
        }
        if ((m = VIEW.matcher(statement)).matches()) {
            return List.of("CREATE VIEW IF NOT EXISTS " + m.group(1) + "." + m.group(2) + onCluster() + m.group(3));
        }
        if ((m = ALTER.matcher(statement)).matches()) {
            String local = "ALTER TABLE " + m.group(1) + "." + storageTable(m.group(2)) + onCluster() + m.group(3);
            if (COLUMN_CHANGE.matcher(m.group(3)).matches()) {
                return List.of(local, "ALTER TABLE " + m.group(1) + "." + m.group(2) + onCluster() + m.group(3));
            }
            return List.of(local);
        }
        throw new MigrationException("cluster DDL: no cluster form for this statement (a CREATE DATABASE, CREATE"
                + " TABLE with a ReplacingMergeTree engine or AS another table, CREATE VIEW or ALTER TABLE is"
                + " expected): " + statement);
    }

    private List<String> table(String db, String name, Table t) {
        String args = "'" + ZOOKEEPER_PATH + "', '{replica}'"
                + (t.engineArgs() == null || t.engineArgs().isBlank() ? "" : ", " + t.engineArgs().strip());
        // A replicated table deduplicates inserts by token in ZooKeeper, with its own window setting.
        String rest = t.rest().replace("non_replicated_deduplication_window", "replicated_deduplication_window");
        Matcher order = ORDER_BY.matcher(rest);
        if (!order.find()) {
            throw new MigrationException("cluster DDL: " + db + "." + name + " has no ORDER BY to shard by");
        }
        String local = name + LOCAL_SUFFIX;
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + db + "." + local + onCluster() + "\n" + t.columns()
                        + "\nENGINE = Replicated" + t.engine() + "(" + args + ")" + rest,
                "CREATE TABLE IF NOT EXISTS " + db + "." + name + onCluster() + " AS " + db + "." + local
                        + "\nENGINE = Distributed(" + cluster + ", " + db + ", " + local
                        + ", cityHash64(" + order.group(1) + "))");
    }

    private String onCluster() {
        return " ON CLUSTER " + cluster;
    }
}
