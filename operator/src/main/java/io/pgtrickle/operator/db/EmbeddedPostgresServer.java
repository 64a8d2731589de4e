package io.pgtrickle.operator.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server run from the zonky binaries on the classpath, configured the way the
 * operator expects a target database to be ({@code wal_level=logical} so WAL capture can be
 * installed later). Used by {@code pgtrickle demo} and by the test harness; one per JVM is plenty.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    public static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts a server on a free port; {@code dataDir} may be null for a throw-away directory. */
    public static EmbeddedPostgresServer start(Path dataDir) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", "256MB")
                    // Tests create many databases; fsync buys nothing for throw-away data.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("synchronous_commit", "off");
            String logDir = System.getProperty("pgtrickle.pg.logdir");
            if (logDir != null && !logDir.isBlank()) {
                // The embedded server's own stderr is not read once it has started; profiling needs its log.
                builder.setServerConfig("logging_collector", "on").setServerConfig("log_directory", logDir);
            }
            if (dataDir != null) {
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            return new EmbeddedPostgresServer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** JDBC URL of {@code database} on this server, as the superuser. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database + "?user=" + SUPERUSER;
    }

    /** Creates {@code database} (dropping any previous one of that name). */
    public void createDatabase(String database) {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"));
             Statement s = c.createStatement()) {
            String quoted = Identifiers.quote(database);
            s.execute("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + quoted);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database + ": " + e.getMessage(), e);
        }
    }

    /** The server's major version, e.g. 18. */
    public int majorVersion() {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"))) {
            return c.getMetaData().getDatabaseMajorVersion();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
