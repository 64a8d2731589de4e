package io.pgtrickle.e2e;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds or a deadline passes; the failure says what was last seen. */
public final class Eventually {
    private Eventually() {
    }

    public static <T> T await(Duration timeout, String what, Callable<T> probe, java.util.function.Predicate<T> ok) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.call();
                if (ok.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                lastError = e;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last seen: " + last
                + (lastError == null ? "" : "; last error: " + lastError));
    }
}
