package io.spendstream.sink.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.sink.rows.Tables;
import io.spendstream.sink.transport.ClickHouseTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Spend questions answered from the sink's tables, on either transport. User input only ever
 * reaches ClickHouse as typed query parameters; the only text put into SQL is from closed sets
 * (granularity, group-by columns) and the validated database name. Every read uses FINAL, so
 * replayed or not-yet-merged rows never change a result.
 */
public final class SpendQueries {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    public static final int MAX_ROWS = 100_000;

    public enum Granularity {
        MINUTE(Tables.ROLLUPS_MINUTE, Duration.ofDays(7)),
        HOUR(Tables.ROLLUPS_HOUR, Duration.ofDays(400)),
        DAY(Tables.ROLLUPS_DAY, Duration.ofDays(3660));

        final String table;
        final Duration maxRange;

        Granularity(String table, Duration maxRange) {
            this.table = table;
            this.maxRange = maxRange;
        }

        public static Granularity parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("granularity must be minute, hour or day, not '" + s + "'");
            }
        }
    }

    public enum GroupBy {
        FEATURE("feature"), PROVIDER("provider"), MODEL("model");

        final String column;

        GroupBy(String column) {
            this.column = column;
        }

        public String column() {
            return column;
        }

        /** A comma-separated list such as "feature,model"; empty means no grouping. */
        public static Set<GroupBy> parseList(String s) {
            Set<GroupBy> out = EnumSet.noneOf(GroupBy.class);
            if (s == null || s.isBlank()) {
                return out;
            }
            for (String part : s.split(",")) {
                String p = part.strip().toUpperCase(Locale.ROOT);
                if (p.isEmpty()) {
                    continue;
                }
                try {
                    out.add(valueOf(p));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("group_by may list feature, model and provider, not '"
                            + part.strip() + "'");
                }
            }
            return out;
        }
    }

    /** Tokens by class. */
    public record Tokens(long input, long output, long cachedInput, long cacheWrite, long reasoning) {}

    /** One row of spend: a window and the group-by values (only the requested keys). */
    public record SpendRow(Instant windowStart, Map<String, String> group, String costUsd, BigInteger costUsdNanos,
                           long events, long errors, long unpricedEvents, Tokens tokens) {}

    public record AlertRow(String alertId, String budgetId, String scope, String scopeValue, Instant periodStart,
                           Instant periodEnd, int thresholdPercent, String kind, String spendUsd, String limitUsd,
                           String projectedUsd, Instant triggeredAt, String triggerEventId) {}

    /**
     * One provider/model (as the org sent them) that had no price: its events since the query's
     * {@code since}, their input and output tokens, the tokens of every class, and when the first and
     * last of them happened.
     */
    public record UnpricedRow(String provider, String model, long events, long inputTokens, long outputTokens,
                              long totalTokens, Instant firstSeen, Instant lastSeen) {}

    private final ClickHouseTransport transport;
    private final String database;

    public SpendQueries(ClickHouseTransport transport, String database) {
        if (!IDENTIFIER.matcher(database).matches()) {
            throw new IllegalArgumentException("not a database name: " + database);
        }
        this.transport = transport;
        this.database = database;
    }

    /** Spend of {@code org} in [from, to) per window of {@code granularity}, grouped by {@code groupBy}. */
    public List<SpendRow> spend(String org, Instant from, Instant to, Granularity granularity, Set<GroupBy> groupBy) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to");
        }
        if (Duration.between(from, to).compareTo(granularity.maxRange) > 0) {
            throw new IllegalArgumentException("at most " + granularity.maxRange.toDays() + " days at "
                    + granularity.name().toLowerCase(Locale.ROOT) + " granularity");
        }
        List<GroupBy> groups = groupBy.stream().sorted().toList();
        StringBuilder cols = new StringBuilder();
        for (GroupBy g : groups) {
            cols.append(", ").append(g.column);
        }
        String sql = "SELECT toUnixTimestamp64Milli(window_start) AS ws" + cols
                + ", sum(events) AS events, sum(errors) AS errors, sum(unpriced_events) AS unpriced"
                + ", sum(input_tokens) AS input, sum(output_tokens) AS output"
                + ", sum(cached_input_tokens) AS cached_input, sum(cache_write_tokens) AS cache_write"
                + ", sum(reasoning_tokens) AS reasoning, toString(sum(toInt128(cost_usd_nanos))) AS cost_nanos"
                + " FROM " + database + "." + granularity.table + " FINAL"
                + " WHERE org_id = {org:String}"
                + " AND window_start >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')"
                + " AND window_start < fromUnixTimestamp64Milli({to:Int64}, 'UTC')"
                + " GROUP BY ws" + cols + " ORDER BY ws" + cols + " LIMIT " + (MAX_ROWS + 1);
        List<SpendRow> out = new ArrayList<>();
        for (JsonNode n : rows(sql, Map.of("org", org, "from", Long.toString(from.toEpochMilli()),
                "to", Long.toString(to.toEpochMilli())))) {
            Map<String, String> group = new LinkedHashMap<>();
            for (GroupBy g : groups) {
                group.put(g.column, n.get(g.column).asText());
            }
            BigInteger nanos = new BigInteger(n.get("cost_nanos").asText());
            out.add(new SpendRow(Instant.ofEpochMilli(n.get("ws").asLong()), group, Money.usd(nanos), nanos,
                    n.get("events").asLong(), n.get("errors").asLong(), n.get("unpriced").asLong(),
                    new Tokens(n.get("input").asLong(), n.get("output").asLong(), n.get("cached_input").asLong(),
                            n.get("cache_write").asLong(), n.get("reasoning").asLong())));
        }
        if (out.size() > MAX_ROWS) {
            throw new IllegalArgumentException("more than " + MAX_ROWS + " rows: narrow the range or the grouping");
        }
        return out;
    }

    /** The org's budget alerts triggered at or after {@code since}, oldest first. */
    public List<AlertRow> alerts(String org, Instant since) {
        String sql = "SELECT alert_id, budget_id, scope, scope_value, toUnixTimestamp64Milli(period_start) AS ps,"
                + " toUnixTimestamp64Milli(period_end) AS pe, threshold_percent, kind, spend_usd_nanos,"
                + " limit_usd_nanos, projected_usd_nanos, toUnixTimestamp64Milli(triggered_at) AS ta, trigger_event_id"
                + " FROM " + database + "." + Tables.BUDGET_ALERTS + " FINAL"
                + " WHERE org_id = {org:String} AND triggered_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')"
                + " ORDER BY triggered_at, alert_id LIMIT " + MAX_ROWS;
        List<AlertRow> out = new ArrayList<>();
        for (JsonNode n : rows(sql, Map.of("org", org, "since", Long.toString(since.toEpochMilli())))) {
            out.add(new AlertRow(n.get("alert_id").asText(), n.get("budget_id").asText(), n.get("scope").asText(),
                    text(n.get("scope_value")), Instant.ofEpochMilli(n.get("ps").asLong()),
                    Instant.ofEpochMilli(n.get("pe").asLong()), n.get("threshold_percent").asInt(),
                    n.get("kind").asText(), Money.usd(n.get("spend_usd_nanos").asLong()),
                    Money.usd(n.get("limit_usd_nanos").asLong()), Money.usd(n.get("projected_usd_nanos").asLong()),
                    Instant.ofEpochMilli(n.get("ta").asLong()), text(n.get("trigger_event_id"))));
        }
        return out;
    }

    /**
     * The provider/models of {@code org}'s events at or after {@code since} that had no price (no catalog
     * entry and no client cost: cost counted as 0), most recently seen first: what to add to the catalog.
     */
    public List<UnpricedRow> unpriced(String org, Instant since) {
        String sql = "SELECT provider, model, count() AS events, sum(input_tokens) AS input,"
                + " sum(output_tokens) AS output, sum(" + String.join(" + ", TOKEN_CLASS_COLUMNS) + ") AS total_tokens,"
                + " toUnixTimestamp64Milli(min(timestamp)) AS first_seen,"
                + " toUnixTimestamp64Milli(max(timestamp)) AS last_seen"
                + " FROM " + database + "." + Tables.PRICED_EVENTS + " FINAL"
                + " WHERE org_id = {org:String} AND cost_source = 'UNPRICED'"
                + " AND timestamp >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')"
                + " GROUP BY provider, model ORDER BY last_seen DESC, provider, model LIMIT " + MAX_ROWS;
        List<UnpricedRow> out = new ArrayList<>();
        for (JsonNode n : rows(sql, Map.of("org", org, "since", Long.toString(since.toEpochMilli())))) {
            out.add(new UnpricedRow(n.get("provider").asText(), n.get("model").asText(), n.get("events").asLong(),
                    n.get("input").asLong(), n.get("output").asLong(), n.get("total_tokens").asLong(),
                    Instant.ofEpochMilli(n.get("first_seen").asLong()), Instant.ofEpochMilli(n.get("last_seen").asLong())));
        }
        return out;
    }

    /** The token columns of priced_events: the classes are disjoint, so their sum counts every token once. */
    private static final List<String> TOKEN_CLASS_COLUMNS = List.of("input_tokens", "output_tokens",
            "cached_input_tokens", "cache_write_tokens", "reasoning_tokens", "cache_write_1h_tokens",
            "input_audio_tokens", "cached_input_audio_tokens", "input_image_tokens", "output_audio_tokens",
            "output_image_tokens");

    public static final String CSV_HEADER = "day,feature,provider,model,events,errors,input_tokens,output_tokens,"
            + "cached_input_tokens,cache_write_tokens,reasoning_tokens,unpriced_events,cost_usd";

    /**
     * Writes the month's spend (UTC days) by day, feature, provider and model as CSV for finance to
     * {@code out}, row by row as ClickHouse produces them ({@link ClickHouseTransport#queryStream}): memory
     * stays at one row and the writer's buffer however long the month's report is.
     */
    public void monthlyCsv(String org, YearMonth month, Writer out) throws IOException {
        Instant from = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        String sql = "SELECT toString(toDate(window_start)) AS day, feature, provider, model,"
                + " sum(events) AS events, sum(errors) AS errors, sum(input_tokens) AS input,"
                + " sum(output_tokens) AS output, sum(cached_input_tokens) AS cached_input,"
                + " sum(cache_write_tokens) AS cache_write, sum(reasoning_tokens) AS reasoning,"
                + " sum(unpriced_events) AS unpriced, toString(sum(toInt128(cost_usd_nanos))) AS cost_nanos"
                + " FROM " + database + "." + Tables.ROLLUPS_DAY + " FINAL"
                + " WHERE org_id = {org:String}"
                + " AND window_start >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')"
                + " AND window_start < fromUnixTimestamp64Milli({to:Int64}, 'UTC')"
                + " GROUP BY day, feature, provider, model ORDER BY day, feature, provider, model";
        try (BufferedReader rows = new BufferedReader(new InputStreamReader(transport.queryStream(sql, "JSONEachRow",
                Map.of("org", org, "from", Long.toString(from.toEpochMilli()), "to", Long.toString(to.toEpochMilli()))),
                StandardCharsets.UTF_8))) {
            out.write(CSV_HEADER + "\r\n");
            StringBuilder csv = new StringBuilder(256);
            for (String line = rows.readLine(); line != null; line = rows.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                csv.setLength(0);
                csv.append(LocalDate.parse(n.get("day").asText())).append(',')
                        .append(csvText(n.get("feature").asText())).append(',')
                        .append(csvText(n.get("provider").asText())).append(',')
                        .append(csvText(n.get("model").asText())).append(',')
                        .append(n.get("events").asLong()).append(',').append(n.get("errors").asLong()).append(',')
                        .append(n.get("input").asLong()).append(',').append(n.get("output").asLong()).append(',')
                        .append(n.get("cached_input").asLong()).append(',').append(n.get("cache_write").asLong())
                        .append(',').append(n.get("reasoning").asLong()).append(',').append(n.get("unpriced").asLong())
                        .append(',').append(Money.usd(new BigInteger(n.get("cost_nanos").asText()))).append("\r\n");
                out.append(csv);
            }
        }
    }

    /**
     * RFC 4180 quoting; text that a spreadsheet would run as a formula (starting with = + - @ or a
     * tab/CR) is prefixed with a single quote.
     */
    public static String csvText(String s) {
        String v = s;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r") || !v.equals(s)) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private List<JsonNode> rows(String sql, Map<String, String> params) {
        String text = new String(transport.query(sql, "JSONEachRow", params), StandardCharsets.UTF_8);
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }
}
