package io.pgtrickle.operator.lifecycle;

/** Identity of a stream table: its resource's namespace and name. */
public record StreamTableKey(String namespace, String name) {
    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
