package io.spendstream.sink.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.sink.rows.RowBinaryWriter;
import io.spendstream.sink.rows.Tables;
import io.spendstream.sink.transport.ClickHouseTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned migrations under {@code db/migrations/} (listed in {@code migrations.list})
 * in version order, each once, recording version, name, checksum and time in
 * {@code spendstream_migrations}. Every statement is idempotent (IF NOT EXISTS), so a crash in the
 * middle of a migration is repaired by running it again. An applied migration whose file changed
 * (checksum differs) stops startup.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    public static final String RESOURCE_DIR = "db/migrations/";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClickHouseTransport transport;
    private final String database;
    private final List<Migration> migrations;
    private final String cluster;

    public Migrations(ClickHouseTransport transport, String database, List<Migration> migrations) {
        this(transport, database, null, migrations);
    }

    /** @param cluster the ClickHouse cluster to create replicated and Distributed tables on; null: one server */
    public Migrations(ClickHouseTransport transport, String database, String cluster, List<Migration> migrations) {
        if (!IDENTIFIER.matcher(database).matches()) {
            throw new IllegalArgumentException("not a database name: " + database);
        }
        this.transport = transport;
        this.database = database;
        this.cluster = cluster;
        this.migrations = ordered(migrations);
    }

    public static Migrations fromClasspath(ClickHouseTransport transport, String database) {
        return fromClasspath(transport, database, null);
    }

    public static Migrations fromClasspath(ClickHouseTransport transport, String database, String cluster) {
        return new Migrations(transport, database, cluster, loadClasspath());
    }

    /**
     * Every statement this schema form runs, in order, per migration version: the migrations' own text on
     * one server, its {@link ClusterDdl} rendering on a cluster. Applied or not, all are rendered in order
     * (a later statement may copy an earlier table's definition). Version 0 is the bookkeeping: the
     * database and the migrations table.
     */
    public Map<Integer, List<String>> statements() {
        ClusterDdl ddl = cluster == null ? null : new ClusterDdl(cluster);
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        List<String> bookkeeping = List.of("CREATE DATABASE IF NOT EXISTS " + database,
                "CREATE TABLE IF NOT EXISTS " + database + "." + Tables.MIGRATIONS
                        + " (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))"
                        + " ENGINE = ReplacingMergeTree ORDER BY version");
        out.put(0, render(ddl, bookkeeping));
        for (Migration m : migrations) {
            out.put(m.version(), render(ddl, m.statements(database)));
        }
        return out;
    }

    private static List<String> render(ClusterDdl ddl, List<String> statements) {
        if (ddl == null) {
            return statements;
        }
        List<String> out = new ArrayList<>();
        statements.forEach(s -> out.addAll(ddl.render(s)));
        return out;
    }

    /** The migrations shipped with the sink. */
    public static List<Migration> loadClasspath() {
        ClassLoader cl = Migrations.class.getClassLoader();
        List<Migration> out = new ArrayList<>();
        for (String file : readLines(cl, RESOURCE_DIR + "migrations.list")) {
            out.add(Migration.parse(file, String.join("\n", readLines(cl, RESOURCE_DIR + file)) + "\n"));
        }
        return out;
    }

    /** Sorted by version; two migrations with one version are an error. */
    static List<Migration> ordered(List<Migration> migrations) {
        List<Migration> sorted = new ArrayList<>(migrations);
        sorted.sort(Comparator.comparingInt(Migration::version));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).version() == sorted.get(i - 1).version()) {
                throw new MigrationException("two migrations with version " + sorted.get(i).version() + ": "
                        + sorted.get(i - 1).name() + " and " + sorted.get(i).name());
            }
        }
        return List.copyOf(sorted);
    }

    private static List<String> readLines(ClassLoader cl, String resource) {
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) {
                throw new MigrationException("missing resource " + resource);
            }
            List<String> lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
            return resource.endsWith(".list") ? lines.stream().map(String::strip).filter(s -> !s.isEmpty()).toList()
                    : lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Migration> migrations() {
        return migrations;
    }

    /** What has been applied: version to checksum. */
    public Map<Integer, String> applied() {
        String sql = "SELECT version, checksum FROM " + database + "." + Tables.MIGRATIONS + " FINAL ORDER BY version";
        String text = new String(transport.query(sql, "JSONEachRow", Map.of()), StandardCharsets.UTF_8);
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                out.put(n.get("version").asInt(), n.get("checksum").asText());
            } catch (IOException e) {
                throw new MigrationException("cannot read " + Tables.MIGRATIONS + ": " + line, e);
            }
        }
        return out;
    }

    /** Creates the database and the migrations table, then applies what is missing. Returns the versions applied now. */
    public List<Integer> migrate() {
        Map<Integer, List<String>> statements = statements();
        statements.get(0).forEach(transport::execute);
        Map<Integer, String> applied = applied();
        verify(applied);
        List<Integer> now = new ArrayList<>();
        for (Migration m : migrations) {
            if (applied.containsKey(m.version())) {
                continue;
            }
            LOG.info("applying migration V{}__{} to database {}", m.version(), m.name(), database);
            for (String statement : statements.get(m.version())) {
                transport.execute(statement);
            }
            RowBinaryWriter row = new RowBinaryWriter(256);
            row.int32(m.version()).string(m.name()).string(m.checksum())
                    .dateTime64Millis(System.currentTimeMillis()).endRow();
            transport.insert(database + "." + Tables.MIGRATIONS, "RowBinary", row.toByteArray(),
                    "migration-" + m.version() + "-" + m.checksum());
            now.add(m.version());
        }
        return now;
    }

    /** Fails when an applied migration's file changed, or when the database has a version this build does not know. */
    void verify(Map<Integer, String> applied) {
        Map<Integer, Migration> byVersion = new LinkedHashMap<>();
        migrations.forEach(m -> byVersion.put(m.version(), m));
        for (var e : applied.entrySet()) {
            Migration m = byVersion.get(e.getKey());
            if (m == null) {
                LOG.warn("database {} has migration V{} that this build does not know (a newer sink applied it)",
                        database, e.getKey());
                continue;
            }
            if (!m.checksum().equals(e.getValue())) {
                throw new MigrationException("migration V" + m.version() + "__" + m.name() + " was changed after it was"
                        + " applied to database " + database + " (checksum " + e.getValue() + " in "
                        + Tables.MIGRATIONS + ", " + m.checksum() + " now): never edit an applied migration, add a"
                        + " new one");
            }
        }
    }

    /**
     * Sets the retention TTL of priced_events, or removes it when {@code ttl} is null. Runs at each
     * startup, so the configuration is the single source of truth.
     */
    public void applyEventsTtl(Duration ttl) {
        // On a cluster the rows (and so the TTL) live in the replicated table under the Distributed one.
        String storage = cluster == null ? Tables.PRICED_EVENTS : ClusterDdl.storageTable(Tables.PRICED_EVENTS);
        String table = database + "." + storage + (cluster == null ? "" : " ON CLUSTER " + cluster);
        if (ttl != null) {
            long seconds = Math.max(1, ttl.toSeconds());
            transport.execute("ALTER TABLE " + table + " MODIFY TTL toDateTime(timestamp) + INTERVAL " + seconds
                    + " SECOND");
            return;
        }
        String create = new String(transport.query(
                "SELECT create_table_query FROM system.tables WHERE database = {db:String} AND name = {t:String}",
                "TabSeparatedRaw", Map.of("db", database, "t", storage)), StandardCharsets.UTF_8);
        if (create.contains(" TTL ")) {
            transport.execute("ALTER TABLE " + table + " REMOVE TTL");
        }
    }
}
