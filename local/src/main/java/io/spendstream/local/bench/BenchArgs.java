package io.spendstream.local.bench;

import java.util.HashMap;
import java.util.Map;

/** "--name value" pairs of a benchmark command. */
final class BenchArgs {
    private BenchArgs() {}

    static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
