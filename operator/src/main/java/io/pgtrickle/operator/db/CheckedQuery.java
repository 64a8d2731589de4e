package io.pgtrickle.operator.db;

import java.util.List;

/**
 * A user query that PostgreSQL accepted as one read-only SELECT, with its output columns and the
 * relations it reads (schema-qualified), as found in its plan, and everything it depends on as PostgreSQL
 * records it.
 */
public record CheckedQuery(String sql, List<OutputColumn> columns, List<QualifiedName> sources,
                           QueryDependencies dependencies) {
    public CheckedQuery {
        columns = List.copyOf(columns);
        sources = List.copyOf(sources);
    }
}
