package io.pgtrickle.operator.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A target database reached by JDBC URL plus optional credentials kept out of the URL, so that
 * {@link #toString()} (which ends up in logs) never shows a password.
 */
public final class JdbcDatabase implements Database {
    /** The session defaults: RefreshPolicy's defaults for statementTimeout (10m) and lockTimeout (30s). */
    static final long DEFAULT_STATEMENT_TIMEOUT_MS = 600_000;
    static final long DEFAULT_LOCK_TIMEOUT_MS = 30_000;

    private final String url;
    private final Properties props = new Properties();

    public JdbcDatabase(String url, String user, String password) {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database URL must start with jdbc:postgresql:// (got "
                    + redact(url) + ")");
        }
        this.url = url;
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", "pgtrickle");
        props.setProperty("connectTimeout", "10");
        // Bounds for what runs before a stream table's own RefreshPolicy timeouts are set in its transaction (the
        // locks a refresh or apply takes first, the capture DDL on sources): nothing waits or runs indefinitely.
        // Options given in the URL take precedence.
        props.setProperty("options", "-c statement_timeout=" + DEFAULT_STATEMENT_TIMEOUT_MS
                + " -c lock_timeout=" + DEFAULT_LOCK_TIMEOUT_MS);
    }

    public static JdbcDatabase fromUrl(String url) {
        return new JdbcDatabase(url, null, null);
    }

    /** host, port, database from a CloudNativePG-style secret; password never enters the URL. */
    public static JdbcDatabase of(String host, int port, String database, String user, String password) {
        return new JdbcDatabase("jdbc:postgresql://" + host + ":" + port + "/" + database, user, password);
    }

    /** Same URL and credentials ⇒ same identity; the password enters only as a hash. */
    public String identity() {
        return url + "|" + props.getProperty("user", "") + "|" + props.getProperty("password", "").hashCode();
    }

    /**
     * PgJDBC's own log (java.util.logging) is silenced: it prints the URL it could not parse, password included,
     * as a raw warning line. Held here so that the setting is not collected with an unreferenced logger.
     */
    private static final java.util.logging.Logger DRIVER_LOG = silenced("org.postgresql");

    private static java.util.logging.Logger silenced(String name) {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(name);
        log.setLevel(java.util.logging.Level.OFF);
        return log;
    }

    /**
     * A connection; a failure is reported without the URL's credentials (the driver's message for a URL it
     * cannot parse is the whole URL), and without the driver's exception as cause, whose message holds them.
     */
    @Override
    public Connection connect() throws SQLException {
        try {
            return DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            String message = redact(e.getMessage());
            String password = props.getProperty("password");
            if (password != null && !password.isEmpty()) {
                message = message.replace(password, "***");
            }
            SQLException clean = new SQLException(message, e.getSQLState(), e.getErrorCode());
            clean.setStackTrace(e.getStackTrace());
            throw clean;
        }
    }

    /** The URL without any password parameter. */
    @Override
    public String toString() {
        return redact(url);
    }

    static String redact(String url) {
        if (url == null) {
            return "null";
        }
        return url.replaceAll("(?i)(password=)[^&\\s]*", "$1***")
                .replaceAll("//([^/@:\\s]+):([^/@\\s]+)@", "//$1:***@");
    }
}
