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

    @Override
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, props);
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
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//([^/@:]+):([^/@]+)@", "//$1:***@");
    }
}
