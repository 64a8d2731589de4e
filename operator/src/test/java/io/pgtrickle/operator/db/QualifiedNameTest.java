package io.pgtrickle.operator.db;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualifiedNameTest {

    @Test
    void unqualifiedNameGoesToPublicAndFoldsToLowerCase() {
        assertEquals(new QualifiedName("public", "orders"), QualifiedName.parse("Orders"));
    }

    @Test
    void quotedPartsKeepCaseAndDots() {
        QualifiedName q = QualifiedName.parse("\"My.Schema\".\"Order \"\"Totals\"\"\"");
        assertEquals("My.Schema", q.schema());
        assertEquals("Order \"Totals\"", q.table());
        assertEquals("\"My.Schema\".\"Order \"\"Totals\"\"\"", q.sql());
    }

    @Test
    void injectionAttemptsAreRejectedNotQuotedAway() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QualifiedName.parse("t; DROP TABLE x"));
        assertTrue(e.getMessage().contains("invalid character"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QualifiedName.parse("a.b.c"));
        assertThrows(IllegalArgumentException.class, () -> QualifiedName.parse("a."));
    }
}
