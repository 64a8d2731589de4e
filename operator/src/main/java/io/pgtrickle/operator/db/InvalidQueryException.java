package io.pgtrickle.operator.db;

import io.pgtrickle.operator.errors.UserFacingException;

/**
 * The stream table's query cannot be used: not a single read-only SELECT, or PostgreSQL rejects
 * it. The message says what is wrong; the hint says what to do. Both go onto the resource's status
 * and the CLI's output verbatim, so they never contain credentials or stack traces.
 */
public final class InvalidQueryException extends UserFacingException {
    public InvalidQueryException(String message, String hint) {
        super(message, hint, null);
    }
}
