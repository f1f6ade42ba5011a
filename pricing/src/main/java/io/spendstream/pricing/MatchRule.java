package io.spendstream.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A rule that decides which names (model names or provider names as sent) a catalog entry answers
 * to, in the grammar of the price source (@pydantic/genai-prices): one of
 * {@code {"equals": s}}, {@code {"starts_with": s}}, {@code {"ends_with": s}}, {@code {"contains": s}},
 * {@code {"regex": s}}, {@code {"or": [rules]}}, {@code {"and": [rules]}}. Text comparisons ignore case;
 * a regex is matched as written (find anywhere, like JavaScript's {@code RegExp.test}) against the
 * lower-cased name. Immutable and thread-safe.
 */
public sealed interface MatchRule {
    ObjectMapper JSON = new ObjectMapper();

    /** Whether the rule matches a name that is already lower-cased and trimmed. */
    boolean matches(String name);

    /** The rule as JSON, in the grammar above. */
    JsonNode toJson();

    default String toJsonText() {
        return toJson().toString();
    }

    static MatchRule equalsName(String name) {
        return new Text(Op.EQUALS, name);
    }

    static MatchRule parse(String json) {
        try {
            return parse(JSON.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("match rule is not valid JSON: " + e.getMessage());
        }
    }

    static MatchRule parse(JsonNode node) {
        if (node == null || !node.isObject() || node.size() != 1) {
            throw new IllegalArgumentException("a match rule is an object with exactly one of equals, starts_with,"
                    + " ends_with, contains, regex, or, and; got " + node);
        }
        String op = node.fieldNames().next();
        JsonNode arg = node.get(op);
        switch (op) {
            case "or", "and" -> {
                if (!arg.isArray() || arg.isEmpty()) {
                    throw new IllegalArgumentException("\"" + op + "\" takes a non-empty array of rules");
                }
                List<MatchRule> parts = new ArrayList<>(arg.size());
                for (JsonNode n : arg) {
                    parts.add(parse(n));
                }
                return new Combined(op.equals("or"), List.copyOf(parts));
            }
            case "regex" -> {
                if (!arg.isTextual()) {
                    throw new IllegalArgumentException("\"regex\" takes a string");
                }
                try {
                    return new Regex(Pattern.compile(arg.asText()));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("\"regex\" is not a valid pattern: " + e.getDescription());
                }
            }
            default -> {
                Op textOp = switch (op) {
                    case "equals" -> Op.EQUALS;
                    case "starts_with" -> Op.STARTS_WITH;
                    case "ends_with" -> Op.ENDS_WITH;
                    case "contains" -> Op.CONTAINS;
                    default -> throw new IllegalArgumentException("unknown match operator \"" + op + "\"");
                };
                if (!arg.isTextual()) {
                    throw new IllegalArgumentException("\"" + op + "\" takes a string");
                }
                return new Text(textOp, arg.asText());
            }
        }
    }

    /** Lower-cased and trimmed, the form every rule is matched against. */
    static String normalize(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    enum Op {
        EQUALS("equals"), STARTS_WITH("starts_with"), ENDS_WITH("ends_with"), CONTAINS("contains");

        final String json;

        Op(String json) {
            this.json = json;
        }
    }

    record Text(Op op, String value, String lower) implements MatchRule {
        Text(Op op, String value) {
            this(op, value, value.toLowerCase(Locale.ROOT));
        }

        @Override
        public boolean matches(String name) {
            return switch (op) {
                case EQUALS -> name.equals(lower);
                case STARTS_WITH -> name.startsWith(lower);
                case ENDS_WITH -> name.endsWith(lower);
                case CONTAINS -> name.contains(lower);
            };
        }

        @Override
        public JsonNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put(op.json, value);
            return n;
        }
    }

    record Regex(Pattern pattern) implements MatchRule {
        @Override
        public boolean matches(String name) {
            return pattern.matcher(name).find();
        }

        @Override
        public JsonNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("regex", pattern.pattern());
            return n;
        }
    }

    record Combined(boolean any, List<MatchRule> parts) implements MatchRule {
        @Override
        public boolean matches(String name) {
            for (MatchRule r : parts) {
                if (r.matches(name) == any) {
                    return any;
                }
            }
            return !any;
        }

        @Override
        public JsonNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            var arr = n.putArray(any ? "or" : "and");
            parts.forEach(p -> arr.add(p.toJson()));
            return n;
        }
    }
}
