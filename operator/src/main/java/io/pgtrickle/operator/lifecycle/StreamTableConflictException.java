package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.operator.errors.UserFacingException;

/**
 * The spec cannot be applied because of something outside it: the storage table belongs to
 * another stream table, or exists but was not created by pg-trickle. Reported on status with
 * reason {@code TableConflict}; nothing is changed in the database.
 */
public final class StreamTableConflictException extends UserFacingException {
    public StreamTableConflictException(String message, String hint) {
        super(message, hint, null);
    }
}
