package io.spendstream.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.ingest.usage.ProviderUsage;
import io.spendstream.ingest.usage.UsageException;
import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.UsageEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Parses and validates a request body of usage events: one JSON object, a JSON array of objects, or
 * NDJSON (one object per line). Streaming (Jackson's {@link JsonParser}, no object binding), so that
 * every rule is explicit: unknown and duplicate fields are rejected by name, integers must be exact
 * non-negative longs, money is read as {@link BigDecimal} from the number's own text, strings are
 * bounded, nesting is shallow, and the body must be valid UTF-8.
 *
 * <p>Token counts come either as the disjoint token fields ({@link TokenClass#field()}) or as {@code usage}, the
 * provider's own usage object, which {@link ProviderUsage} reads (its subtree is the one part read as a tree).
 *
 * <p>A body that cannot be read at all (not JSON, invalid UTF-8, too deep, not an object or array)
 * is a {@link BodyException}; inside a readable batch each invalid event becomes a {@link Rejected}
 * item with its index, the first offending field and why, and the others are {@link Accepted}.
 */
public final class EventParser {
    public static final int MAX_ID = 128;
    public static final int MAX_FEATURE = 128;
    public static final int MAX_PROVIDER = 64;
    public static final int MAX_MODEL = 128;
    public static final int MAX_ERROR_CODE = 128;
    public static final int MAX_USER = 256;
    public static final int MAX_SESSION = 256;
    public static final int MAX_MAP_ENTRIES = 32;
    public static final int MAX_TAG_KEY = 64;
    public static final int MAX_TAG_VALUE = 256;
    public static final int MAX_METADATA_KEY = 64;
    public static final int MAX_METADATA_VALUE = 1024;
    /**
     * Array of events, event object, tags or metadata object: 3 levels; a provider usage object adds up to 3
     * (Gemini's {@code {usageMetadata: {promptTokensDetails: [{...}]}}}); anything deeper is refused outright.
     */
    public static final int MAX_NESTING = 16;

    private static final BigDecimal MAX_COST_USD = BigDecimal.valueOf(Long.MAX_VALUE).movePointLeft(9);
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,30}(\\.[0-9]{1,30})?");

    /** The body formats the API accepts. */
    public enum Format { JSON, NDJSON }

    /** One item of a batch, by its 0-based index. */
    public sealed interface Item permits Accepted, Rejected {
        int index();
    }

    /** A valid event, ready to produce. */
    public record Accepted(int index, UsageEvent event) implements Item {}

    /** An invalid event: the first offending field ("" when the item as a whole is wrong) and the reason. */
    public record Rejected(int index, String field, String error) implements Item {}

    /** A body that is not readable as a batch of events at all. */
    public static final class BodyException extends Exception {
        private final ProblemType type;

        public BodyException(ProblemType type, String detail) {
            super(detail, null, false, false);
            this.type = type;
        }

        public ProblemType type() {
            return type;
        }
    }

    private static final class FieldError extends Exception {
        final String field;

        FieldError(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }

    private final JsonFactory json;
    private final int maxEvents;
    private final Duration maxFuture;

    public EventParser(int maxEvents, Duration maxFuture, int maxBodyBytes) {
        this.maxEvents = maxEvents;
        this.maxFuture = maxFuture;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxStringLength(Math.max(maxBodyBytes, 1024))
                        .maxNumberLength(1000)
                        .build())
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .build();
        // A codec lets p.readValueAsTree() read the usage subtree; nothing else is bound to objects.
        factory.setCodec(new ObjectMapper(factory));
        this.json = factory;
    }

    /**
     * Parses {@code body} into items in body order.
     *
     * @param orgId      the org of the API key (events are stamped with it; a different body org_id is rejected)
     * @param apiKeyId   the key that posted them
     * @param receivedAt server receive time
     * @throws BodyException when the body as a whole is unreadable (400) or holds too many events (413)
     */
    public List<Item> parse(byte[] body, Format format, String orgId, String apiKeyId, Instant receivedAt)
            throws BodyException {
        int bad = Utf8.firstInvalid(body, 0, body.length);
        if (bad >= 0) {
            throw new BodyException(ProblemType.INVALID_BODY, "body is not valid UTF-8 (at byte offset " + bad + ")");
        }
        Context ctx = new Context(orgId, apiKeyId, receivedAt.truncatedTo(ChronoUnit.MILLIS),
                receivedAt.plus(maxFuture));
        List<Item> items = format == Format.NDJSON ? parseNdjson(body, ctx) : parseJson(body, ctx);
        if (items.isEmpty()) {
            throw new BodyException(ProblemType.INVALID_BODY, "the body holds no event");
        }
        return items;
    }

    private record Context(String orgId, String apiKeyId, Instant receivedAt, Instant latestTimestamp) {}

    private List<Item> parseJson(byte[] body, Context ctx) throws BodyException {
        List<Item> items = new ArrayList<>();
        try (JsonParser p = json.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                items.add(parseEvent(p, 0, ctx));
            } else if (t == JsonToken.START_ARRAY) {
                int index = 0;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw new BodyException(ProblemType.INVALID_BODY, "truncated JSON: the array is not closed");
                    }
                    if (index >= maxEvents) {
                        throw new BodyException(ProblemType.PAYLOAD_TOO_LARGE,
                                "more than " + maxEvents + " events in one request");
                    }
                    if (t == JsonToken.START_OBJECT) {
                        items.add(parseEvent(p, index, ctx));
                    } else {
                        p.skipChildren();
                        items.add(new Rejected(index, "", "an event must be a JSON object, not " + describe(t)));
                    }
                    index++;
                }
            } else if (t == null) {
                throw new BodyException(ProblemType.INVALID_BODY, "the body is empty");
            } else {
                throw new BodyException(ProblemType.INVALID_BODY,
                        "the body must be a JSON object or an array of objects, not " + describe(t));
            }
            if (p.nextToken() != null) {
                throw new BodyException(ProblemType.INVALID_BODY, "unexpected content after the JSON value"
                        + " (several events need a JSON array or Content-Type application/x-ndjson)");
            }
        } catch (JsonProcessingException e) {
            throw new BodyException(ProblemType.INVALID_BODY, "invalid JSON: " + jsonMessage(e));
        } catch (IOException e) {
            throw new BodyException(ProblemType.INVALID_BODY, "cannot read the body: " + e.getMessage());
        }
        return items;
    }

    private List<Item> parseNdjson(byte[] body, Context ctx) throws BodyException {
        List<Item> items = new ArrayList<>();
        int index = 0;
        int start = 0;
        while (start <= body.length) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            int len = end - start;
            if (len > 0 && body[end - 1] == '\r') {
                len--;
            }
            if (!isBlank(body, start, len)) {
                if (index >= maxEvents) {
                    throw new BodyException(ProblemType.PAYLOAD_TOO_LARGE,
                            "more than " + maxEvents + " events in one request");
                }
                items.add(parseLine(body, start, len, index, ctx));
                index++;
            }
            start = end + 1;
        }
        return items;
    }

    private Item parseLine(byte[] body, int offset, int len, int index, Context ctx) {
        try (JsonParser p = json.createParser(body, offset, len)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                return new Rejected(index, "", "each NDJSON line must be one JSON object, not " + describe(t));
            }
            Item item = parseEvent(p, index, ctx);
            if (p.nextToken() != null) {
                return new Rejected(index, "", "unexpected content after the JSON object on this line");
            }
            return item;
        } catch (JsonProcessingException e) {
            return new Rejected(index, "", "invalid JSON: " + jsonMessage(e));
        } catch (IOException e) {
            return new Rejected(index, "", "cannot read the line: " + e.getMessage());
        }
    }

    private static boolean isBlank(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Event fields other than the token fields, which follow them in {@link TokenClass} order. */
    private static final String[] FIELDS = {"event_id", "timestamp", "feature", "provider", "model", "cost_usd",
            "latency_ms", "status", "error_code", "user_id", "session_id", "tags", "metadata", "org_id", "usage",
            "usage_format"};
    private static final TokenClass[] TOKEN_CLASSES = TokenClass.all();
    /** Bits of the token fields in a parseEvent "seen" mask. */
    private static final int TOKEN_FIELD_BITS = ((1 << TOKEN_CLASSES.length) - 1) << FIELDS.length;
    private static final Map<String, Integer> FIELD_INDEX = new HashMap<>();

    static {
        for (int i = 0; i < FIELDS.length; i++) {
            FIELD_INDEX.put(FIELDS[i], i);
        }
        for (TokenClass c : TOKEN_CLASSES) {
            FIELD_INDEX.put(c.field(), FIELDS.length + c.ordinal());
        }
    }

    /** Every field an event may have. */
    static final Set<String> FIELD_NAMES = Set.copyOf(FIELD_INDEX.keySet());

    private static int bit(TokenClass c) {
        return 1 << (FIELDS.length + c.ordinal());
    }

    /** Reads one event object; the parser is at its START_OBJECT and is left at its END_OBJECT. */
    private Item parseEvent(JsonParser p, int index, Context ctx) throws IOException {
        FieldError first = null;
        int seen = 0;
        String eventId = null;
        Instant timestamp = null;
        String feature = null;
        String provider = null;
        String model = null;
        TokenCounts.Builder tokens = TokenCounts.builder();
        JsonNode usage = null;
        String usageFormat = null;
        Long costNanos = null;
        Long latency = null;
        CallStatus status = CallStatus.OK;
        String errorCode = null;
        String userId = null;
        String sessionId = null;
        Map<String, String> tags = Map.of();
        Map<String, Object> metadata = Map.of();

        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            Integer fi = FIELD_INDEX.get(name);
            try {
                if (fi == null) {
                    p.skipChildren();
                    throw new FieldError(clip(name), "unknown field");
                }
                if ((seen & (1 << fi)) != 0) {
                    p.skipChildren();
                    throw new FieldError(name, "duplicate field");
                }
                seen |= 1 << fi;
                switch (fi) {
                    case 0 -> eventId = string(p, name, MAX_ID, false);
                    case 1 -> timestamp = timestamp(p, name, ctx);
                    case 2 -> feature = string(p, name, MAX_FEATURE, true);
                    case 3 -> provider = string(p, name, MAX_PROVIDER, true);
                    case 4 -> model = string(p, name, MAX_MODEL, true);
                    case 5 -> costNanos = cost(p, name);
                    case 6 -> {
                        long v = count(p, name, false);
                        latency = p.currentToken() == JsonToken.VALUE_NULL ? null : v;
                    }
                    case 7 -> status = status(p, name);
                    case 8 -> errorCode = string(p, name, MAX_ERROR_CODE, false);
                    case 9 -> userId = string(p, name, MAX_USER, false);
                    case 10 -> sessionId = string(p, name, MAX_SESSION, false);
                    case 11 -> tags = tags(p);
                    case 12 -> metadata = metadata(p);
                    case 13 -> {
                        String org = string(p, name, 256, false);
                        if (org != null && !org.equals(ctx.orgId)) {
                            throw new FieldError(name, "does not match the org of the API key (leave org_id out:"
                                    + " the key decides the org)");
                        }
                    }
                    case 14 -> usage = usage(p);
                    case 15 -> usageFormat = string(p, name, 64, false);
                    default -> {
                        TokenClass c = TOKEN_CLASSES[fi - FIELDS.length];
                        tokens.set(c, count(p, name, c == TokenClass.INPUT || c == TokenClass.OUTPUT));
                    }
                }
            } catch (FieldError e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "truncated JSON: an object is not closed");
        }
        if (first != null) {
            return new Rejected(index, first.field, first.getMessage());
        }
        if (usage != null && (seen & TOKEN_FIELD_BITS) != 0) {
            return new Rejected(index, "usage", "usage replaces the token fields: send the provider's usage object"
                    + " or the token fields, not both");
        }
        if (usage == null && usageFormat != null) {
            return new Rejected(index, "usage_format", "names the format of usage, which is missing (send usage, the"
                    + " provider's usage object, or leave usage_format out)");
        }
        boolean tokenFields = usage == null;
        String missing = timestamp == null ? "timestamp" : feature == null ? "feature" : provider == null ? "provider"
                : model == null ? "model" : tokenFields && (seen & bit(TokenClass.INPUT)) == 0 ? "input_tokens"
                : tokenFields && (seen & bit(TokenClass.OUTPUT)) == 0 ? "output_tokens" : null;
        if (missing != null) {
            return new Rejected(index, missing, "is required");
        }
        TokenCounts counts = tokens.build();
        String readFormat = null;
        if (usage != null) {
            try {
                ProviderUsage read = ProviderUsage.read(usage, usageFormat, provider);
                counts = read.counts();
                readFormat = read.format().id();
            } catch (UsageException e) {
                return new Rejected(index, e.field(), e.getMessage());
            }
        }
        TokenClass tooLarge = counts.overLimit();
        if (tooLarge != null) {
            return new Rejected(index, usage == null ? tooLarge.field() : "usage", tooLarge.field() + " is "
                    + counts.get(tooLarge) + ", more than " + TokenCounts.MAX_PER_CLASS + ": no model call is that"
                    + " large (tokens counted in another unit?)");
        }
        boolean assigned = eventId == null;
        if (assigned) {
            eventId = UUID.randomUUID().toString();
        }
        UsageEvent.Builder builder = UsageEvent.newBuilder().setEventId(eventId).setEventIdAssigned(assigned)
                .setOrgId(ctx.orgId).setTimestamp(timestamp).setReceivedAt(ctx.receivedAt).setFeature(feature)
                .setProvider(provider).setModel(model).setUsageFormat(readFormat);
        UsageEvent event = counts.applyTo(builder).setClientCostUsdNanos(costNanos).setLatencyMs(latency).setStatus(status).setErrorCode(errorCode)
                .setUserId(userId).setSessionId(sessionId).setTags(tags).setMetadata(metadata)
                .setApiKeyId(ctx.apiKeyId).build();
        return new Accepted(index, event);
    }

    /**
     * The provider's usage object as a tree (null: absent). Its size is bounded by the body limits and its
     * depth by {@link #MAX_NESTING}; its content is validated by {@link ProviderUsage}.
     */
    private static JsonNode usage(JsonParser p) throws IOException, FieldError {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            throw new FieldError("usage", "must be the provider's usage object (as in its API response), not "
                    + describe(t));
        }
        return p.readValueAsTree();
    }

    /** A string (null allowed only for optional fields, meaning absent). */
    private static String string(JsonParser p, String field, int max, boolean required) throws IOException, FieldError {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            if (required) {
                throw new FieldError(field, "is required (null given)");
            }
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            p.skipChildren();
            throw new FieldError(field, "must be a string, not " + describe(t));
        }
        String s = p.getText();
        if (s.isEmpty()) {
            throw new FieldError(field, "must not be empty");
        }
        if (codePoints(s, max) > max) {
            throw new FieldError(field, "must be at most " + max + " characters");
        }
        return s;
    }

    /** A token count (or latency): an exact integer >= 0 that fits a signed 64-bit long. Null: absent (0). */
    private static long count(JsonParser p, String field, boolean required) throws IOException, FieldError {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            if (required) {
                throw new FieldError(field, "is required (null given)");
            }
            return 0;
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            throw new FieldError(field, "must be a whole number (no fraction or exponent)");
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            p.skipChildren();
            throw new FieldError(field, "must be an integer >= 0, not " + describe(t));
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new FieldError(field, p.getText().startsWith("-") ? "must be >= 0"
                    : "is too large (at most " + Long.MAX_VALUE + ")");
        }
        long v = p.getLongValue();
        if (v < 0) {
            throw new FieldError(field, "must be >= 0");
        }
        return v;
    }

    /** cost_usd: a decimal string or a JSON number, >= 0, at most 9 decimals; read from its text, never via double. */
    static Long cost(JsonParser p, String field) throws IOException, FieldError {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        String text;
        if (t == JsonToken.VALUE_STRING) {
            text = p.getText();
            if (text.startsWith("-")) {
                throw new FieldError(field, "must be >= 0");
            }
            if (!DECIMAL.matcher(text).matches()) {
                throw new FieldError(field, "must be a decimal number such as \"0.0123\" (digits, optional '.' and"
                        + " at most 9 decimals)");
            }
        } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            text = p.getText();
            if (text.length() > 64) {
                throw new FieldError(field, "has too many digits");
            }
        } else {
            p.skipChildren();
            throw new FieldError(field, "must be a decimal string or a number, not " + describe(t));
        }
        return costNanos(text, field);
    }

    /** Exact nano-USD of a decimal text, or a FieldError saying why not. */
    static long costNanos(String text, String field) throws FieldError {
        BigDecimal usd;
        try {
            usd = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new FieldError(field, "is not a decimal number");
        }
        if (usd.signum() < 0) {
            throw new FieldError(field, "must be >= 0");
        }
        if (usd.compareTo(MAX_COST_USD) > 0) {
            throw new FieldError(field, "is too large (at most " + MAX_COST_USD.toPlainString() + ")");
        }
        try {
            return usd.movePointRight(9).longValueExact();
        } catch (ArithmeticException e) {
            throw new FieldError(field, "has more than 9 decimals (nano-USD is the smallest unit)");
        }
    }

    private Instant timestamp(JsonParser p, String field, Context ctx) throws IOException, FieldError {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_STRING) {
            p.skipChildren();
            throw new FieldError(field, t == JsonToken.VALUE_NULL ? "is required (null given)"
                    : "must be an RFC 3339 string with offset, e.g. 2025-01-31T12:00:00Z, not " + describe(t));
        }
        String s = p.getText();
        if (s.length() > 64) {
            throw new FieldError(field, "must be an RFC 3339 timestamp with offset, e.g. 2025-01-31T12:00:00.123Z");
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(s.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            instant.toEpochMilli(); // must fit the Avro timestamp-millis
        } catch (DateTimeException | ArithmeticException e) {
            throw new FieldError(field, "must be an RFC 3339 timestamp with offset, e.g. 2025-01-31T12:00:00.123Z");
        }
        if (instant.isAfter(ctx.latestTimestamp)) {
            throw new FieldError(field, "is more than " + human(maxFuture) + " in the future");
        }
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    private static CallStatus status(JsonParser p, String field) throws IOException, FieldError {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return CallStatus.OK;
        }
        if (t == JsonToken.VALUE_STRING) {
            switch (p.getText()) {
                case "ok":
                    return CallStatus.OK;
                case "error":
                    return CallStatus.ERROR;
                default:
                    break;
            }
        }
        p.skipChildren();
        throw new FieldError(field, "must be \"ok\" or \"error\"");
    }

    private static Map<String, String> tags(JsonParser p) throws IOException, FieldError {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            throw new FieldError("tags", "must be an object of string values, not " + describe(t));
        }
        Map<String, String> tags = new HashMap<>();
        FieldError first = null;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            String where = "tags." + clip(key);
            if (first != null) {
                p.skipChildren();
                continue;
            }
            if (v != JsonToken.VALUE_STRING) {
                p.skipChildren();
                first = new FieldError(where, "must be a string, not " + describe(v));
            } else if (key.isEmpty() || codePoints(key, MAX_TAG_KEY) > MAX_TAG_KEY) {
                first = new FieldError(where, "tag keys must be 1 to " + MAX_TAG_KEY + " characters");
            } else if (codePoints(p.getText(), MAX_TAG_VALUE) > MAX_TAG_VALUE) {
                first = new FieldError(where, "must be at most " + MAX_TAG_VALUE + " characters");
            } else if (tags.containsKey(key)) {
                first = new FieldError(where, "duplicate key");
            } else if (tags.size() >= MAX_MAP_ENTRIES) {
                first = new FieldError("tags", "at most " + MAX_MAP_ENTRIES + " tags");
            } else {
                tags.put(key, p.getText());
            }
        }
        if (first != null) {
            throw first;
        }
        return tags;
    }

    private static Map<String, Object> metadata(JsonParser p) throws IOException, FieldError {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            throw new FieldError("metadata", "must be a flat object of strings, numbers and booleans, not "
                    + describe(t));
        }
        Map<String, Object> metadata = new HashMap<>();
        FieldError first = null;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            String where = "metadata." + clip(key);
            if (first != null) {
                p.skipChildren();
                continue;
            }
            Object value = null;
            switch (v) {
                case VALUE_STRING -> {
                    if (codePoints(p.getText(), MAX_METADATA_VALUE) > MAX_METADATA_VALUE) {
                        first = new FieldError(where, "must be at most " + MAX_METADATA_VALUE
                                + " characters (metadata is for usage attributes, not prompts or completions)");
                    } else {
                        value = p.getText();
                    }
                }
                case VALUE_NUMBER_INT -> {
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        first = new FieldError(where, "is out of the 64-bit integer range");
                    } else {
                        value = p.getLongValue();
                    }
                }
                case VALUE_NUMBER_FLOAT -> {
                    double d = p.getDoubleValue();
                    if (Double.isInfinite(d) || Double.isNaN(d)) {
                        first = new FieldError(where, "is out of the double range");
                    } else {
                        value = d;
                    }
                }
                case VALUE_TRUE -> value = Boolean.TRUE;
                case VALUE_FALSE -> value = Boolean.FALSE;
                default -> {
                    p.skipChildren();
                    first = new FieldError(where, "must be a string, number or boolean (metadata is flat), not "
                            + describe(v));
                }
            }
            if (first == null) {
                if (key.isEmpty() || codePoints(key, MAX_METADATA_KEY) > MAX_METADATA_KEY) {
                    first = new FieldError(where, "metadata keys must be 1 to " + MAX_METADATA_KEY + " characters");
                } else if (metadata.containsKey(key)) {
                    first = new FieldError(where, "duplicate key");
                } else if (metadata.size() >= MAX_MAP_ENTRIES) {
                    first = new FieldError("metadata", "at most " + MAX_MAP_ENTRIES + " entries");
                } else {
                    metadata.put(key, value);
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return metadata;
    }

    /** Code points of s, counting no further than needed to know whether it exceeds max. */
    private static int codePoints(String s, int max) {
        int len = s.length();
        if (len <= max) {
            return len; // never more code points than chars
        }
        return s.codePointCount(0, len);
    }

    private static String clip(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64) + "...";
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static String jsonMessage(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m == null) {
            m = e.getClass().getSimpleName();
        }
        m = m.replaceAll("\\s+", " ");
        if (m.length() > 200) {
            m = m.substring(0, 200) + "...";
        }
        var loc = e.getLocation();
        return loc == null ? m : m + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    private static String human(Duration d) {
        if (d.toSeconds() % 3600 == 0) {
            return d.toHours() + "h";
        }
        if (d.toSeconds() % 60 == 0) {
            return d.toMinutes() + "m";
        }
        return d.toSeconds() + "s";
    }
}
