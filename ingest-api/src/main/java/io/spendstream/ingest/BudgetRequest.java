package io.spendstream.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetPeriod;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schemas.money.Usd;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated body of {@code PUT /v1/budgets/{budget_id}}: everything of a {@link Budget} but its ids
 * and timestamps. {@link #parse} checks every rule and reports every offending field at once, so that
 * a client fixes its request in one round trip.
 *
 * <p>Two rules exist for the stream processor's sake: money is exact ({@code limit_usd} is read as a
 * {@link BigDecimal} from the JSON text, never through a double, and must fit nano-USD), and a time zone
 * must have UTC offsets that are whole multiples of 15 minutes, because spend is kept in 15-minute
 * buckets and a period must start on a bucket boundary.
 *
 * @param scope             what spend counts
 * @param scopeValue        the feature or model name; null for {@link BudgetScope#ORG}
 * @param period            budget period
 * @param timeZone          normalised zone id ({@link ZoneId#getId()})
 * @param limitUsdNanos     limit per period in nano-USD, > 0
 * @param thresholdsPercent alert thresholds, strictly ascending
 * @param enabled           false keeps the budget but fires no alerts
 */
record BudgetRequest(BudgetScope scope, String scopeValue, BudgetPeriod period, String timeZone, long limitUsdNanos,
                     List<Integer> thresholdsPercent, boolean enabled) {
    /** Budget ids: URL- and key-safe (no '|', which separates org and budget in the topic key). */
    static final Pattern BUDGET_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Not a budget id: {@code GET /v1/budgets/status} is the org's status route. */
    static final String RESERVED_ID = "status";
    static final int MAX_SCOPE_VALUE = 256;
    static final int MAX_THRESHOLDS = 20;
    static final int MAX_THRESHOLD_PERCENT = 1000;
    static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);
    static final String DEFAULT_TIME_ZONE = "UTC";
    /** The stream processor's spend bucket: zone offsets must be whole multiples of it. */
    static final Duration ZONE_GRANULARITY = Duration.ofMinutes(15);
    static final Set<String> FIELDS = Set.of("scope", "scope_value", "period", "time_zone", "limit_usd",
            "thresholds_percent", "enabled");

    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,30}(\\.[0-9]{1,30})?");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8)
                .maxNumberLength(100).build());
    }

    BudgetRequest {
        Objects.requireNonNull(scope);
        Objects.requireNonNull(period);
        Objects.requireNonNull(timeZone);
        thresholdsPercent = List.copyOf(thresholdsPercent);
    }

    /** One offending field and why. */
    record FieldError(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    /** The request cannot become a budget; {@link #problem()} is the 400 to answer. */
    static final class Invalid extends Exception {
        private final transient Problem problem;
        private final List<FieldError> errors;

        private Invalid(ProblemType type, String detail, List<FieldError> errors) {
            super(detail, null, false, false);
            this.errors = List.copyOf(errors);
            Problem p = Problem.of(type, detail);
            if (!errors.isEmpty()) {
                p = p.with(Map.of("errors", errors.stream()
                        .map(e -> Map.of("field", e.field(), "message", e.message())).toList()));
            }
            this.problem = p;
        }

        /** {@code validation-failed} naming every field (also as an {@code errors} member), or {@code invalid-body}. */
        Problem problem() {
            return problem;
        }

        /** The field errors (empty for an unreadable body). */
        List<FieldError> errors() {
            return errors;
        }
    }

    /** The budget_id rule, or null when {@code id} is a valid new budget id. */
    static FieldError checkBudgetId(String id) {
        if (id == null || !BUDGET_ID.matcher(id).matches()) {
            return new FieldError("budget_id", "must be 1 to 64 letters, digits, '.', '_' and '-', starting with a"
                    + " letter or digit");
        }
        if (id.equals(RESERVED_ID)) {
            return new FieldError("budget_id", "'" + RESERVED_ID + "' is reserved (GET /v1/budgets/status is the org's"
                    + " budget status)");
        }
        return null;
    }

    /**
     * Parses and validates a request body for budget {@code budgetId}.
     *
     * @param now the instant the time zone's offsets are checked at (and a year after it)
     * @throws Invalid with an {@code invalid-body} problem when the body is not one UTF-8 JSON object, or a
     *                 {@code validation-failed} problem listing every field error
     */
    static BudgetRequest parse(String budgetId, byte[] body, Instant now) throws Invalid {
        if (body == null || body.length == 0) {
            throw new Invalid(ProblemType.INVALID_BODY, "a JSON object body is required", List.of());
        }
        int bad = Utf8.firstInvalid(body, 0, body.length);
        if (bad >= 0) {
            throw new Invalid(ProblemType.INVALID_BODY, "body is not valid UTF-8 (at byte offset " + bad + ")",
                    List.of());
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage());
            int nl = msg.indexOf('\n');
            throw new Invalid(ProblemType.INVALID_BODY, "invalid JSON: " + clip(nl < 0 ? msg : msg.substring(0, nl)),
                    List.of());
        }
        if (!(tree instanceof ObjectNode obj)) {
            throw new Invalid(ProblemType.INVALID_BODY, "the body must be a JSON object", List.of());
        }
        return validate(budgetId, obj, now);
    }

    private static BudgetRequest validate(String budgetId, ObjectNode obj, Instant now) throws Invalid {
        List<FieldError> errors = new ArrayList<>();
        FieldError idError = checkBudgetId(budgetId);
        if (idError != null) {
            errors.add(idError);
        }
        obj.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                errors.add(new FieldError(clip(f), "unknown field (allowed: scope, scope_value, period, time_zone,"
                        + " limit_usd, thresholds_percent, enabled)"));
            }
        });
        BudgetScope scope = scope(obj.get("scope"), errors);
        String scopeValue = scopeValue(obj.get("scope_value"), scope, errors);
        BudgetPeriod period = period(obj.get("period"), errors);
        String timeZone = timeZone(obj.get("time_zone"), now, errors);
        long limit = limit(obj.get("limit_usd"), errors);
        List<Integer> thresholds = thresholds(obj.get("thresholds_percent"), errors);
        boolean enabled = enabled(obj.get("enabled"), errors);
        if (!errors.isEmpty()) {
            String detail = String.join("; ", errors.stream().map(FieldError::toString).toList());
            throw new Invalid(ProblemType.VALIDATION_FAILED, detail, errors);
        }
        return new BudgetRequest(scope, scopeValue, period, timeZone, limit, thresholds, enabled);
    }

    /** The budget record: this request under {@code orgId}/{@code budgetId} with the given timestamps. */
    Budget toBudget(String orgId, String budgetId, Instant createdAt, Instant updatedAt) {
        return new Budget(budgetId, orgId, scope, scopeValue, period, timeZone, limitUsdNanos,
                new ArrayList<>(thresholdsPercent), enabled, createdAt, updatedAt);
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull();
    }

    private static BudgetScope scope(JsonNode n, List<FieldError> errors) {
        return oneOf(n, "scope", BudgetScope.class, errors);
    }

    /** One of an enum's constants, named in lower case (case-insensitive on input). */
    private static <E extends Enum<E>> E oneOf(JsonNode n, String field, Class<E> type, List<FieldError> errors) {
        List<String> names = java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        String choices = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
        if (absent(n)) {
            errors.add(new FieldError(field, "is required (" + choices + ")"));
            return null;
        }
        if (n.isTextual() && names.contains(n.textValue().toLowerCase(Locale.ROOT))) {
            return Enum.valueOf(type, n.textValue().toUpperCase(Locale.ROOT));
        }
        errors.add(new FieldError(field, "must be " + choices));
        return null;
    }

    private static String scopeValue(JsonNode n, BudgetScope scope, List<FieldError> errors) {
        if (absent(n)) {
            if (scope == BudgetScope.FEATURE || scope == BudgetScope.MODEL) {
                errors.add(new FieldError("scope_value", "is required for scope "
                        + scope.name().toLowerCase(Locale.ROOT) + " (the " + scope.name().toLowerCase(Locale.ROOT)
                        + " name)"));
            }
            return null;
        }
        if (scope == BudgetScope.ORG) {
            errors.add(new FieldError("scope_value", "must be absent or null for scope org"));
            return null;
        }
        if (!n.isTextual()) {
            errors.add(new FieldError("scope_value", "must be a string"));
            return null;
        }
        String s = n.textValue();
        int length = s.codePointCount(0, s.length());
        if (length < 1 || length > MAX_SCOPE_VALUE) {
            errors.add(new FieldError("scope_value", "must be 1 to " + MAX_SCOPE_VALUE + " characters"));
            return null;
        }
        return s;
    }

    private static BudgetPeriod period(JsonNode n, List<FieldError> errors) {
        return oneOf(n, "period", BudgetPeriod.class, errors);
    }

    private static String timeZone(JsonNode n, Instant now, List<FieldError> errors) {
        if (absent(n)) {
            return DEFAULT_TIME_ZONE;
        }
        if (!n.isTextual()) {
            errors.add(new FieldError("time_zone", "must be a time zone id such as Europe/Berlin"));
            return null;
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(n.textValue());
        } catch (DateTimeException e) {
            errors.add(new FieldError("time_zone", "is not a known time zone id (IANA, e.g. Europe/Berlin)"));
            return null;
        }
        for (Instant at : List.of(now, now.plus(Duration.ofDays(365)))) {
            ZoneOffset offset = zone.getRules().getOffset(at);
            if (offset.getTotalSeconds() % ZONE_GRANULARITY.toSeconds() != 0) {
                errors.add(new FieldError("time_zone", "has the UTC offset " + offset.getId() + " on "
                        + at.toString().substring(0, 10) + ", which is not a whole multiple of 15 minutes (spend is"
                        + " kept in 15-minute buckets)"));
                return null;
            }
        }
        return zone.getId();
    }

    private static long limit(JsonNode n, List<FieldError> errors) {
        if (absent(n)) {
            errors.add(new FieldError("limit_usd", "is required"));
            return 0;
        }
        BigDecimal usd;
        if (n.isTextual()) {
            String text = n.textValue();
            if (!DECIMAL.matcher(text).matches()) {
                errors.add(new FieldError("limit_usd", text.startsWith("-") ? "must be > 0"
                        : "must be a decimal such as \"100\" or \"12.50\" (digits, optional '.' and decimals)"));
                return 0;
            }
            usd = new BigDecimal(text);
        } else if (n.isNumber()) {
            usd = n.decimalValue(); // exact: floats are parsed as BigDecimal (USE_BIG_DECIMAL_FOR_FLOATS)
        } else {
            errors.add(new FieldError("limit_usd", "must be a decimal string or a number"));
            return 0;
        }
        if (usd.signum() <= 0) {
            errors.add(new FieldError("limit_usd", "must be > 0"));
            return 0;
        }
        if (usd.compareTo(Usd.MAX) > 0) {
            errors.add(new FieldError("limit_usd", "is too large (at most " + Usd.MAX.toPlainString() + ")"));
            return 0;
        }
        if (usd.stripTrailingZeros().scale() > Usd.SCALE) {
            errors.add(new FieldError("limit_usd", "has more than 9 decimals (nano-USD is the smallest unit)"));
            return 0;
        }
        return Usd.toNanos(usd);
    }

    private static List<Integer> thresholds(JsonNode n, List<FieldError> errors) {
        if (absent(n)) {
            return DEFAULT_THRESHOLDS;
        }
        if (!(n instanceof ArrayNode array)) {
            errors.add(new FieldError("thresholds_percent", "must be an array of whole percentages"));
            return List.of();
        }
        if (array.isEmpty() || array.size() > MAX_THRESHOLDS) {
            errors.add(new FieldError("thresholds_percent", "must have 1 to " + MAX_THRESHOLDS + " entries"));
            return List.of();
        }
        List<Integer> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode e = array.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt()
                    || e.intValue() < 1 || e.intValue() > MAX_THRESHOLD_PERCENT) {
                errors.add(new FieldError("thresholds_percent", "entries must be whole numbers from 1 to "
                        + MAX_THRESHOLD_PERCENT + " (entry " + i + " is " + clip(e.toString()) + ")"));
                return List.of();
            }
            int v = e.intValue();
            if (!out.isEmpty() && v <= out.getLast()) {
                errors.add(new FieldError("thresholds_percent", "must be strictly ascending (entry " + i + ", " + v
                        + ", is not above " + out.getLast() + ")"));
                return List.of();
            }
            out.add(v);
        }
        return out;
    }

    private static boolean enabled(JsonNode n, List<FieldError> errors) {
        if (absent(n)) {
            return true;
        }
        if (!n.isBoolean()) {
            errors.add(new FieldError("enabled", "must be true or false"));
            return false;
        }
        return n.booleanValue();
    }

    private static String clip(String s) {
        return Problem.clip(s, 64);
    }
}
