package io.spendstream.embedded;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Bounded polling used by the launchers; never spins without a deadline. */
final class Waits {

    /** A condition that may throw; a thrown exception counts as "not yet" and is reported on timeout. */
    @FunctionalInterface
    interface Condition {
        boolean test() throws Exception;
    }

    private Waits() {
    }

    /**
     * Polls {@code condition} every {@code interval} until it returns true or {@code timeout} passes.
     *
     * @param what used in the timeout message, e.g. "topic orders to be created"
     * @throws TimeoutException     if the deadline passed; the last exception thrown by the condition is its cause
     * @throws InterruptedException if the thread was interrupted while sleeping
     */
    static void until(Duration timeout, Duration interval, String what, Condition condition)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.test()) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                TimeoutException timeoutException = new TimeoutException("Timed out after " + timeout.toMillis()
                        + " ms waiting for " + what + (last == null ? "" : "; last error: " + last));
                if (last != null) {
                    timeoutException.initCause(last);
                }
                throw timeoutException;
            }
            Thread.sleep(interval.toMillis());
        }
    }
}
