package io.pgtrickle.operator.cli;

import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pgtrickle apply} refuses what {@code kubectl apply} refuses, before it touches the database: the exit code
 * is 1, every problem is on stderr with its file and field, and no stream table or storage table is created, even
 * for the valid documents of a file that has a bad one.
 */
class ApplyValidationIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    static Path dir;

    private static MainIT.Result apply(String name, String body) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, body);
        return MainIT.cli("apply", "--db", PG.database().jdbcUrl(), "-f", f.toString());
    }

    private static long tables(String name) throws Exception {
        try (Connection c = PG.database().connect()) {
            return Rows.count(c, "SELECT count(*) FROM pg_class WHERE relname = '" + name + "'");
        }
    }

    @Test
    void aFileWithOneBadDocumentInstallsNothingAndListsEveryProblem() throws Exception {
        MainIT.Result r = apply("half-bad.yaml", MainIT.st("good-one", "good_one", "SELECT 1 AS one")
                + "---\n" + MainIT.st("Bad-One", "pg_catalog.bad_one", "SELECT 1 AS one")
                + "  schedule: ''\n");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("error: 3 problems in "), r.err());
        assertTrue(r.err().contains("document 2 (StreamTable \"Bad-One\", line 13): metadata.name: Invalid value: "
                + "\"Bad-One\": a lowercase RFC 1123 subdomain"), r.err());
        assertTrue(r.err().contains("spec.table: Invalid value: \"string\": table must not be in a system schema"),
                r.err());
        assertTrue(r.err().contains("spec.schedule: Invalid value: \"string\": schedule must be a duration"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals(0, tables("good_one"), "nothing is applied from a file with a bad document");
    }

    @Test
    void aSystemSchemaIsRefusedByTheCrdRuleBeforeTheDatabaseIsAsked() throws Exception {
        MainIT.Result r = apply("sys.yaml", MainIT.st("sys", "pg_catalog.pg_class", "SELECT 1 AS one"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("table must not be in a system schema"), r.err());
        assertFalse(r.err().contains("drop or rename the existing table"), r.err());
    }

    @Test
    void aDuplicateKeyIsRefusedWithItsLine() throws Exception {
        MainIT.Result r = apply("dup.yaml", MainIT.st("dup", "dup_t", "SELECT 1 AS one") + "  table: other_t\n");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("dup.yaml: line 12, column") && r.err().contains("duplicate key 'table'"), r.err());
        assertEquals(0, tables("dup_t") + tables("other_t"));
    }

    @Test
    void anEmptyFileOrOneOfOtherKindsSaysWhatItHolds() throws Exception {
        MainIT.Result empty = apply("empty.yaml", "# nothing yet\n");
        assertEquals(1, empty.code());
        assertTrue(empty.err().contains("empty.yaml is empty"), empty.err());
        MainIT.Result other = apply("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n");
        assertEquals(1, other.code());
        assertTrue(other.err().contains("deploy.yaml holds 1 Deployment"), other.err());
    }

    @Test
    void anInvalidNamespaceFlagIsRefused() throws Exception {
        Path f = dir.resolve("ns.yaml");
        Files.writeString(f, MainIT.st("ns-flag", "ns_flag", "SELECT 1 AS one"));
        MainIT.Result r = MainIT.cli("apply", "--db", PG.database().jdbcUrl(), "-f", f.toString(), "-n", "Team_A");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("namespace Team_A: a lowercase RFC 1123 label"), r.err());
        assertEquals(0, tables("ns_flag"));
    }
}
