package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.operator.errors.UserFacingException;

/**
 * The spec names something the database does not have or must not be used (the schema of spec.table missing
 * while the policy does not allow creating it): nothing was changed; reported with reason {@code InvalidSpec}.
 */
public final class InvalidSpecException extends UserFacingException {
    public InvalidSpecException(String message, String hint) {
        super(message, hint, null);
    }
}
