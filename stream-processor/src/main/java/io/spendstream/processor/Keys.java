package io.spendstream.processor;

import java.util.ArrayList;
import java.util.List;

/**
 * Composite keys as readable strings: parts joined by '|', with '%' and '|' in a part
 * percent-escaped, so distinct tuples never collide (a feature named "a|b" stays one part).
 */
public final class Keys {
    private Keys() {}

    public static String join(String... parts) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                b.append('|');
            }
            String p = parts[i];
            if (p.indexOf('|') < 0 && p.indexOf('%') < 0) { // the usual case: nothing to escape
                b.append(p);
                continue;
            }
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                switch (c) {
                    case '%' -> b.append("%25");
                    case '|' -> b.append("%7C");
                    default -> b.append(c);
                }
            }
        }
        return b.toString();
    }

    public static List<String> split(String key) {
        List<String> parts = new ArrayList<>();
        for (String p : key.split("\\|", -1)) {
            parts.add(p.replace("%7C", "|").replace("%25", "%"));
        }
        return parts;
    }

    /** Epoch millis zero-padded to a fixed width, so string order is time order. */
    public static String paddedMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("negative timestamp " + millis);
        }
        String digits = Long.toString(millis);
        return "0".repeat(Math.max(0, 15 - digits.length())) + digits;
    }
}
