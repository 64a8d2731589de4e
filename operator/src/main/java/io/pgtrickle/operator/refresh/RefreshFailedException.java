package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.errors.UserFacingException;

/**
 * A refresh did not commit. The storage table is exactly as before (the transaction rolled
 * back); the failure is recorded in the catalog. {@link #hint()} says what the user can do.
 */
public final class RefreshFailedException extends UserFacingException {
    public RefreshFailedException(String message, String hint, Throwable cause) {
        super(message, hint, cause);
    }
}
