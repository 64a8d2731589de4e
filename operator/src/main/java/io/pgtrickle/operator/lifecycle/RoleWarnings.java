package io.pgtrickle.operator.lifecycle;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What is risky about the operator's database role, said at every apply (status, CLI, log): a superuser role
 * bypasses every privilege check, so a stream table's query could read anything and its functions do anything
 * the server can. docs/grants.sql lists the grants a role needs instead.
 */
final class RoleWarnings {
    private RoleWarnings() {
    }

    static List<String> of(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")) {
            if (rs.next() && rs.getBoolean(2)) {
                return List.of("the operator's database role " + rs.getString(1) + " is a superuser: it bypasses every"
                        + " privilege check; give it only the grants of docs/grants.sql");
            }
            return List.of();
        }
    }
}
