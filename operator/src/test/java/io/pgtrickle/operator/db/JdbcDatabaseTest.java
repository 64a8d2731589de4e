package io.pgtrickle.operator.db;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JdbcDatabaseTest {
    private static final String SECRET = "pgt-secret-Pa55"; // searched for in the whole run's output

    @Test
    void aUrlTheDriverCannotParseIsReportedWithoutItsPasswordAndWithoutADriverLogLine() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        SQLException e;
        try {
            e = assertThrows(SQLException.class, () -> JdbcDatabase.fromUrl(
                    "jdbc:postgresql://127.0.0.1:notaport/shop?user=u&password=" + SECRET).connect());
        } finally {
            System.setErr(err);
        }
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertTrue(e.getMessage().contains("password=***"), e.getMessage());
        assertNull(e.getCause(), "the driver's exception, whose message holds the URL, is not kept");
        assertFalse(captured.toString().contains(SECRET), captured.toString());
        assertEquals("", captured.toString(), "no raw java.util.logging line from the driver");
    }

    @Test
    void aPasswordGivenApartFromTheUrlIsNeverInAMessage() {
        SQLException e = assertThrows(SQLException.class,
                () -> new JdbcDatabase("jdbc:postgresql://127.0.0.1:notaport/" + SECRET, "u", SECRET).connect());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }

    @Test
    void redactsPasswordsInQueryParametersAndUserInfo() {
        assertEquals("jdbc:postgresql://h/db?user=u&password=***&ssl=true",
                JdbcDatabase.redact("jdbc:postgresql://h/db?user=u&password=" + SECRET + "&ssl=true"));
        assertEquals("jdbc:postgresql://u:***@h/db", JdbcDatabase.redact("jdbc:postgresql://u:" + SECRET + "@h/db"));
    }
}
