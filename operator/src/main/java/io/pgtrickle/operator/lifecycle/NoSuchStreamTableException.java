package io.pgtrickle.operator.lifecycle;

/** No stream table of that name is installed in the target database. */
public final class NoSuchStreamTableException extends RuntimeException {
    public NoSuchStreamTableException(StreamTableKey key) {
        super("no stream table " + key.name() + " in namespace " + key.namespace()
                + " is installed in this database (see `pgtrickle status`)");
    }
}
