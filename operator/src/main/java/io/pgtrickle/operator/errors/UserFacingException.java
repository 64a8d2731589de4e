package io.pgtrickle.operator.errors;

/**
 * A failure the user caused or can fix, reported as it is: its message says what is wrong and
 * {@link #hint()} what to do. Both go onto the resource's status, into events and into the CLI's
 * output verbatim, so they never carry credentials, connection details or stack traces. Subclasses
 * name the kind of failure (the status reason is chosen by type).
 */
public abstract class UserFacingException extends RuntimeException {
    private final String hint;

    protected UserFacingException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
