package io.spendstream.local;

import java.time.Duration;

/** The command line of the one-command run ({@code ./run-local [--demo [--demo-seconds N]]}). */
record RunOptions(boolean help, boolean demo, Duration demoDuration) {
    static final Duration DEFAULT_DEMO_DURATION = Duration.ofSeconds(60);
    static final String USAGE = String.join(System.lineSeparator(),
            "usage: ./run-local [--demo] [--demo-seconds N]",
            "  (no option)        start the pipeline on this machine; settings come from the environment (README.md)",
            "  --demo             also run the demo: three demo orgs, budgets, realistic traffic for a minute,",
            "                     alerts as they fire, then spend per feature; the pipeline keeps running afterwards",
            "  --demo-seconds N   how long the demo sends traffic, 1 to 3600 seconds (default 60; implies --demo)",
            "  -h, --help         show this help");

    /** Parses the arguments; an unknown or malformed one is an {@link IllegalArgumentException}. */
    static RunOptions parse(String... args) {
        boolean help = false;
        boolean demo = false;
        Duration duration = DEFAULT_DEMO_DURATION;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                help = true;
            } else if (a.equals("--demo")) {
                demo = true;
            } else if (a.equals("--demo-seconds") || a.startsWith("--demo-seconds=")) {
                String v;
                if (a.equals("--demo-seconds")) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--demo-seconds needs a number of seconds");
                    }
                    v = args[++i];
                } else {
                    v = a.substring("--demo-seconds=".length());
                }
                duration = Duration.ofSeconds(seconds(v));
                demo = true;
            } else {
                throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        return new RunOptions(help, demo, duration);
    }

    private static long seconds(String v) {
        try {
            long s = Long.parseLong(v.strip());
            if (s >= 1 && s <= 3600) {
                return s;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--demo-seconds must be a whole number from 1 to 3600, not '" + v + "'");
    }
}
