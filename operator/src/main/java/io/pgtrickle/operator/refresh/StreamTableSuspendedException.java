package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.errors.UserFacingException;

/**
 * A refresh was asked of a suspended stream table ({@code spec.suspend}). Not a failure of the stream
 * table: nothing is recorded, and its status keeps saying it is suspended.
 */
public final class StreamTableSuspendedException extends UserFacingException {
    public StreamTableSuspendedException(String message, String hint) {
        super(message, hint, null);
    }
}
