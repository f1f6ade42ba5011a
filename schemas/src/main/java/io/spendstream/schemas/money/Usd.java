package io.spendstream.schemas.money;

import java.math.BigDecimal;

/** US dollars as exact decimal strings over integer nano-dollars, the pipeline's money unit. */
public final class Usd {
    public static final int SCALE = 9;
    /** The largest amount nano-USD in a long can hold. */
    public static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE, SCALE);

    private Usd() {}

    /** {@code 1234500000} → {@code "1.234500000"}: always nine decimals, never an exponent. */
    public static String format(long nanos) {
        return BigDecimal.valueOf(nanos, SCALE).toPlainString();
    }

    /**
     * The exact nano-dollars of a decimal amount.
     *
     * @throws ArithmeticException when it has more than nine decimals or does not fit a long
     */
    public static long toNanos(BigDecimal usd) {
        if (usd.abs().compareTo(MAX) > 0) {
            throw new ArithmeticException("at most " + MAX.toPlainString() + " USD");
        }
        return usd.movePointRight(SCALE).longValueExact();
    }
}
