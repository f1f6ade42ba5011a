package io.spendstream.ingest.usage;

/**
 * What is left of a provider's total once the breakdowns it includes are taken out. Providers report
 * totals with breakdowns inside them; our classes are disjoint, so the plain class gets the remainder.
 * A breakdown larger than what is left is refused, naming the breakdown, the total and why it is part of it.
 */
record Remainder(Count total, long value, String taken) {
    static Remainder of(Count total) {
        return new Remainder(total, total.value(), "");
    }

    Remainder less(Count part, String why) throws UsageException {
        if (part.value() > value) {
            String what = taken.isEmpty() ? part.describe()
                    : part.path() + " (" + part.value() + ") plus " + taken + " (" + (total.value() - value) + ")";
            throw new UsageException(part.path(), what + " exceeds " + total.describe() + ": " + why);
        }
        if (part.value() == 0) {
            return this;
        }
        return new Remainder(total, value - part.value(), taken.isEmpty() ? part.path() : taken + " and " + part.path());
    }
}
