package io.spendstream.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.spendstream.notifier.channel.AlertChannel;
import io.spendstream.notifier.channel.ChannelFilter;
import io.spendstream.notifier.channel.SigningSecrets;
import io.spendstream.schema.AlertKind;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schema.ChannelKind;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The body of {@code POST /v1/channels} (every field but {@code name}, {@code enabled} and {@code filter}
 * required) and {@code PATCH /v1/channels/{id}} (any subset; {@code kind} cannot change): parsed strictly,
 * unknown and duplicate fields refused by name. The URL's form is checked here; its addresses are
 * checked by the routes with the {@link io.spendstream.notifier.channel.UrlPolicy} off the event loop.
 *
 * @param url    the URL as sent, or null when absent (PATCH)
 * @param filter null when absent
 */
record ChannelRequest(ChannelKind kind, String url, String name, Boolean enabled, ChannelFilter filter) {
    static final int MAX_NAME = 200;
    static final int MAX_URL = 2048;
    static final int MAX_BUDGET_IDS = 100;
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> FIELDS = Set.of("kind", "url", "name", "enabled", "filter");
    private static final Set<String> FILTER_FIELDS = Set.of("budget_ids", "scopes", "alert_kinds",
            "min_threshold_percent");

    /** A refused body; the message says which field and why. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }

        Problem problem() {
            return Problem.of(ProblemType.VALIDATION_FAILED, getMessage());
        }
    }

    static ChannelRequest parse(byte[] body, boolean create) throws Invalid {
        JsonNode root;
        try (JsonParser p = STRICT.createParser(body == null ? new byte[0] : body)) {
            root = STRICT.readTree(p);
        } catch (Exception e) {
            throw new Invalid("the body must be one JSON object: " + Problem.clip(String.valueOf(e.getMessage()), 200));
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("the body must be one JSON object");
        }
        unknown(root, FIELDS, "");
        ChannelKind kind = root.has("kind") ? enumValue(root.get("kind"), "kind", ChannelKind::valueOf) : null;
        String url = text(root, "url", MAX_URL);
        if (create && kind == null) {
            throw new Invalid("kind is required: webhook, slack or teams");
        }
        if (create && url == null) {
            throw new Invalid("url is required");
        }
        String name = text(root, "name", MAX_NAME);
        Boolean enabled = null;
        if (root.has("enabled")) {
            if (!root.get("enabled").isBoolean()) {
                throw new Invalid("enabled must be true or false");
            }
            enabled = root.get("enabled").booleanValue();
        }
        ChannelFilter filter = root.has("filter") ? filter(root.get("filter")) : null;
        return new ChannelRequest(kind, url, name, enabled, filter);
    }

    /** The new channel; a webhook channel gets its first signing secret. */
    AlertChannel create(String orgId, URI checkedUrl, Instant now) {
        return new AlertChannel(newId(), orgId, kind, name == null ? "" : name, checkedUrl,
                enabled == null || enabled, filter == null ? ChannelFilter.ALL : filter,
                kind == ChannelKind.WEBHOOK ? SigningSecrets.generate() : null, now, now);
    }

    /** The channel with this request's fields applied; {@code checkedUrl} is the new URL or null to keep it. */
    AlertChannel patch(AlertChannel old, URI checkedUrl, Instant now) throws Invalid {
        if (kind != null && kind != old.kind()) {
            throw new Invalid("kind cannot change; create another channel");
        }
        return new AlertChannel(old.id(), old.orgId(), old.kind(), name == null ? old.name() : name,
                checkedUrl == null ? old.url() : checkedUrl, enabled == null ? old.enabled() : enabled,
                filter == null ? old.filter() : filter, old.secrets(), old.createdAt(), now);
    }

    private static ChannelFilter filter(JsonNode f) throws Invalid {
        if (!f.isObject()) {
            throw new Invalid("filter must be an object");
        }
        unknown(f, FILTER_FIELDS, "filter.");
        Set<String> budgets = strings(f.get("budget_ids"), "filter.budget_ids", s -> s);
        if (budgets.size() > MAX_BUDGET_IDS) {
            throw new Invalid("filter.budget_ids may name at most " + MAX_BUDGET_IDS + " budgets");
        }
        Set<BudgetScope> scopes = strings(f.get("scopes"), "filter.scopes",
                s -> BudgetScope.valueOf(s.toUpperCase(Locale.ROOT)));
        Set<AlertKind> kinds = strings(f.get("alert_kinds"), "filter.alert_kinds",
                s -> AlertKind.valueOf(s.toUpperCase(Locale.ROOT)));
        int min = 0;
        if (f.has("min_threshold_percent")) {
            JsonNode m = f.get("min_threshold_percent");
            if (!m.canConvertToInt() || !m.isIntegralNumber() || m.intValue() < 0 || m.intValue() > 100) {
                throw new Invalid("filter.min_threshold_percent must be an integer from 0 to 100");
            }
            min = m.intValue();
        }
        return new ChannelFilter(budgets, scopes, kinds, min);
    }

    private static <T> Set<T> strings(JsonNode n, String field, Function<String, T> convert) throws Invalid {
        Set<T> out = new LinkedHashSet<>();
        if (n == null) {
            return out;
        }
        if (!n.isArray()) {
            throw new Invalid(field + " must be an array of strings");
        }
        for (JsonNode item : n) {
            if (!item.isTextual() || item.textValue().isEmpty() || item.textValue().length() > 128
                    || item.textValue().indexOf('|') >= 0) {
                throw new Invalid(field + " must hold strings of 1 to 128 characters without '|'");
            }
            try {
                out.add(convert.apply(item.textValue()));
            } catch (IllegalArgumentException e) {
                throw new Invalid(field + " holds an unknown value " + Problem.clip(item.textValue(), 40));
            }
        }
        return out;
    }

    private static <E extends Enum<E>> E enumValue(JsonNode n, String field, Function<String, E> valueOf) throws Invalid {
        if (n.isTextual()) {
            try {
                return valueOf.apply(n.textValue().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // answered below
            }
        }
        throw new Invalid(field + " must be one of webhook, slack, teams");
    }

    private static String text(JsonNode root, String field, int max) throws Invalid {
        JsonNode n = root.get(field);
        if (n == null) {
            return null;
        }
        if (!n.isTextual() || n.textValue().length() > max) {
            throw new Invalid(field + " must be a string of at most " + max + " characters");
        }
        return n.textValue();
    }

    private static void unknown(JsonNode obj, Set<String> allowed, String prefix) throws Invalid {
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            String f = it.next().getKey();
            if (!allowed.contains(f)) {
                throw new Invalid("unknown field " + prefix + Problem.clip(f, 64));
            }
        }
    }

    /** {@code ch_} + 22 base64url characters (128 random bits). */
    private static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "ch_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
