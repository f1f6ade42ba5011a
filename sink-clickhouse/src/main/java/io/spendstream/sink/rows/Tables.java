package io.spendstream.sink.rows;

import io.spendstream.schema.WindowSize;

/** Names of the sink's tables (without database). */
public final class Tables {
    public static final String ROLLUPS_MINUTE = "spend_rollups_minute";
    public static final String ROLLUPS_HOUR = "spend_rollups_hour";
    public static final String ROLLUPS_DAY = "spend_rollups_day";
    public static final String PRICED_EVENTS = "priced_events";
    public static final String BUDGET_ALERTS = "budget_alerts";
    public static final String MIGRATIONS = "spendstream_migrations";

    private Tables() {}

    public static String rollups(WindowSize size) {
        return switch (size) {
            case MINUTE -> ROLLUPS_MINUTE;
            case HOUR -> ROLLUPS_HOUR;
            case DAY -> ROLLUPS_DAY;
        };
    }
}
