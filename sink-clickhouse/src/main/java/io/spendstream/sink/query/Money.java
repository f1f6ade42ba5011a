package io.spendstream.sink.query;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Exact USD rendering of nano-USD amounts: always 9 decimals, no rounding, no floating point. */
public final class Money {
    private Money() {}

    public static String usd(BigInteger nanos) {
        return new BigDecimal(nanos, 9).toPlainString();
    }

    public static String usd(long nanos) {
        return BigDecimal.valueOf(nanos, 9).toPlainString();
    }

    /** The SQL expression that shows an integer nano-USD expression as an exact Decimal(38, 9) USD value. */
    public static String sqlUsd(String nanosExpression) {
        return "toDecimal128(" + nanosExpression + ", 9) / 1000000000";
    }
}
