package io.spendstream.pricing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites of a model name as sent that the lookup tries after the catalog's match rules, in order.
 * <ul>
 *   <li>{@link #isoDated}: a compact date {@code -YYYYMMDD} written {@code -YYYY-MM-DD}, as the price
 *       source retries its rules ({@code gpt-4o-20240806} is matched as {@code gpt-4o-2024-08-06});</li>
 *   <li>{@link #shorterNames}: spendstream's own last resort for names no rule matches: without a
 *       routing prefix (everything up to the last '/', {@code openai/gpt-4o}), then repeatedly without
 *       a trailing date or alias suffix ({@code -YYYY-MM-DD}, {@code -YYYYMMDD}, {@code @YYYYMMDD},
 *       {@code -latest}). Four-digit suffixes (gpt-4-0613) are never stripped: in the catalog they
 *       are often distinct models with prices of their own.</li>
 * </ul>
 */
public final class ModelNames {
    private static final Pattern COMPACT_DATE =
            Pattern.compile("-(20\\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])(?=-|:|$)");
    private static final Pattern DATE_SUFFIX = Pattern.compile("(-\\d{4}-\\d{2}-\\d{2}|-\\d{8}|@\\d{8}|-latest)$");

    private ModelNames() {}

    /** The name with every valid compact date {@code -YYYYMMDD} written {@code -YYYY-MM-DD}. */
    public static String isoDated(String name) {
        Matcher m = COMPACT_DATE.matcher(name);
        StringBuilder out = new StringBuilder(name.length() + 4);
        while (m.find()) {
            int y = Integer.parseInt(m.group(1));
            int mo = Integer.parseInt(m.group(2));
            int d = Integer.parseInt(m.group(3));
            boolean valid = d <= java.time.YearMonth.of(y, mo).lengthOfMonth();
            m.appendReplacement(out, valid ? "-" + m.group(1) + "-" + m.group(2) + "-" + m.group(3)
                    : Matcher.quoteReplacement(m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Shorter names of a normalized name, most specific first (the name itself not included). */
    public static List<String> shorterNames(String name) {
        List<String> out = new ArrayList<>(3);
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
