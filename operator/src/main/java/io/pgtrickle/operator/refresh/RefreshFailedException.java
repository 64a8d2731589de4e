package io.pgtrickle.operator.refresh;

/**
 * A refresh did not commit. The storage table is exactly as before (the transaction rolled
 * back); the failure is recorded in the catalog. {@link #hint()} says what the user can do.
 */
public final class RefreshFailedException extends RuntimeException {
    private final String hint;

    public RefreshFailedException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
