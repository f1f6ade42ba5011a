package io.spendstream.processor.pricing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The names under which a model as sent by a producer is looked up in the price catalog, most
 * specific first. The first candidate with a price in effect at the event's time wins:
 * <ol>
 *   <li>the name as sent, lower-cased and trimmed (so a dated entry such as gpt-4o-2024-05-13, which
 *       has its own price, is found before its base);</li>
 *   <li>without a routing prefix: everything up to the last '/' ({@code openai/gpt-4o},
 *       {@code accounts/fireworks/models/llama-v3p1-8b-instruct}, {@code models/gemini-2.5-pro});</li>
 *   <li>then, repeatedly, without one trailing date or alias suffix: {@code -YYYY-MM-DD},
 *       {@code -YYYYMMDD}, {@code @YYYYMMDD}, {@code -latest}, each tried as a name before the next
 *       is stripped ({@code claude-3-5-haiku-20241022} → {@code claude-3-5-haiku}).</li>
 * </ol>
 * Four-digit suffixes (gpt-4-0613, mistral-large-2411) are not stripped: in the catalog they are
 * often distinct models with prices of their own, so they must be priced by exact entries.
 */
public final class ModelNames {
    private static final Pattern DATE_SUFFIX = Pattern.compile("(-\\d{4}-\\d{2}-\\d{2}|-\\d{8}|@\\d{8}|-latest)$");

    private ModelNames() {}

    public static String normalize(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    public static List<String> candidates(String model) {
        List<String> out = new ArrayList<>(4);
        String name = normalize(model);
        out.add(name);
        int slash = name.lastIndexOf('/');
        if (slash >= 0 && slash < name.length() - 1) {
            name = name.substring(slash + 1);
            out.add(name);
        }
        for (int i = 0; i < 3; i++) {
            String stripped = DATE_SUFFIX.matcher(name).replaceFirst("");
            if (stripped.equals(name) || stripped.isEmpty()) {
                break;
            }
            name = stripped;
            out.add(name);
        }
        return out;
    }
}
