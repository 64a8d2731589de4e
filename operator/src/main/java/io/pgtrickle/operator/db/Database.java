package io.pgtrickle.operator.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a stream table lives: something that opens connections to the target database. The
 * operator builds one from a Secret, the CLI from {@code --db}; nothing else touches JDBC URLs.
 */
@FunctionalInterface
public interface Database {
    Connection connect() throws SQLException;
}
