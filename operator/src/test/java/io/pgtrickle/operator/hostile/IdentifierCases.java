package io.pgtrickle.operator.hostile;

import java.util.List;

import static io.pgtrickle.operator.hostile.HostileCase.spec;

/**
 * Hostile names: quoting attacks, semicolons, unicode, control characters and 64–300 character identifiers in
 * {@code spec.table}, {@code metadata.name} and {@code metadata.namespace}; and storage tables that are not the
 * stream table's to create: catalog tables, pg-trickle's own, existing source tables, views, sequences, indexes,
 * another stream table's storage, a schema that does not exist.
 */
final class IdentifierCases {
    private IdentifierCases() {
    }

    private static final String OK_QUERY = "SELECT id, amount FROM orders";

    /** A case whose spec.table is {@code table}. */
    private static HostileCase table(String category, String id, String table, String expect) {
        return spec(category, id, id, table, OK_QUERY, "", expect);
    }

    /** A case whose metadata.name is {@code name} (with a harmless spec.table unless {@code table} is null). */
    private static HostileCase name(String category, String id, String name, String table, String expect) {
        return new HostileCase(category, id, HostileCase.Level.SPEC, HostileCase.Role.OWNER, List.of(name),
                HostileCase.streamTable(name, table, OK_QUERY, ""), null, OK_QUERY, expect, false);
    }

    /** {@code c} with metadata.namespace {@code namespace}. */
    private static HostileCase inNamespace(HostileCase c, String namespace) {
        return new HostileCase(c.category(), c.id(), c.level(), c.role(), c.subjects(), c.yaml().replace("metadata:\n",
                "metadata:\n  namespace: " + HostileCase.quoted(namespace) + "\n"), c.args(), c.query(), c.expect(),
                c.atLoad());
    }

    static List<HostileCase> identifiers() {
        String c = "identifier";
        String table = "spec\\.table";
        String name = "metadata\\.name";
        return List.of(
                table(c, "table-quote-injection", "a\"; DROP TABLE orders; --", table),
                table(c, "table-semicolon-injection", "orders; DROP TABLE orders", table),
                table(c, "table-three-parts", "public.orders.x", table),
                table(c, "table-empty-part", ".orders", table),
                table(c, "table-trailing-dot", "public.", table),
                table(c, "table-leading-digit", "1abc", table),
                table(c, "table-space", "my table", table),
                table(c, "table-nul", "a\u0000b", table).crd(),
                table(c, "table-bidi-override", "out_\u202eelbat", table).crd(),
                table(c, "table-quoted-injection", "\"a\"\"; DROP TABLE orders; --\"", table).crd(),
                table(c, "table-quoted-upper-case", "\"Orders\"", table).crd(),
                table(c, "table-unicode", "z\u00e4hlung", table).crd(),
                table(c, "table-unicode-64-bytes", "\u00e4".repeat(32), table + "|63").crd(),
                table(c, "table-64-chars", "t".repeat(64), table + "|63").crd(),
                table(c, "table-300-chars", "t".repeat(300), table + "|63").crd(),
                table(c, "table-schema-64-chars", "s".repeat(64) + ".t", table + "|63").crd(),
                table(c, "table-upper-case", "Analytics.Totals", table).crd(),
                name(c, "name-empty", "", "out_name_empty", name).crdNamedByFile(),
                name(c, "name-quote-injection", "a\"; DROP TABLE orders; --", "out_name_quote", name).crdNamedByFile(),
                name(c, "name-300-chars", "n".repeat(300), "out_name_300", name).crdNamedByFile(),
                name(c, "name-64-chars-without-table", "n".repeat(64), null, name + "|63").crdNamedByFile(),
                name(c, "name-unicode", "z\u00e4hlung", "out_name_unicode", name).crdNamedByFile(),
                name(c, "name-upper-case", "Totals", "out_name_upper", name).crdNamedByFile(),
                name(c, "name-terminal-escape", "\u001b[2Jpwned", "out_name_escape", name).crdNamedByFile(),
                name(c, "name-slash", "default/evil", "out_name_slash", name).crdNamedByFile(),
                inNamespace(spec(c, "namespace-injection", "namespace-injection", "out_ns", OK_QUERY, "",
                        "metadata\\.namespace|namespace"), "x'; DROP TABLE orders; --").crdNamedByFile());
    }

    static List<HostileCase> storageTables() {
        String c = "storage-table";
        String system = "system schema|reserved";
        String taken = "already exists|already maintained|not created by pg-trickle";
        return List.of(
                table(c, "pg-catalog-pg-class", "pg_catalog.pg_class", system),
                table(c, "pg-catalog-upper-case", "PG_CATALOG.pg_class", system + "|spec\\.table"),
                table(c, "information-schema-tables", "information_schema.tables", system),
                table(c, "pg-toast", "pg_toast.hostile", system),
                table(c, "pgtrickle-stream-tables", "pgtrickle.stream_tables", system),
                table(c, "pgtrickle-changes", "pgtrickle_changes.hostile", system),
                table(c, "existing-source-table", "orders", taken),
                table(c, "existing-source-qualified", "public.customers", taken),
                table(c, "existing-view", "open_orders", taken),
                table(c, "existing-materialized-view", "order_count", taken),
                table(c, "existing-sequence", "hostile_seq", taken),
                table(c, "existing-index", "orders_status_idx", taken),
                table(c, "other-stream-tables-storage", "baseline_totals", taken),
                inNamespace(spec(c, "other-namespace-same-table", "other-namespace-same-table", "baseline_totals",
                        OK_QUERY, "", taken), "other"),
                table(c, "missing-schema", "nowhere.hostile", "schema nowhere"),
                spec(c, "secret-table-as-storage", "secret-table-as-storage", "secret_salaries", "SELECT 1 AS one", "",
                        taken).as(HostileCase.Role.RESTRICTED),
                // orders is captured by the owner (triggers ENABLE ALWAYS); this role does not own it
                spec(c, "conflict-refused-after-capture", "conflict-refused-after-capture", "customers",
                        "SELECT id, status FROM orders", "", taken).as(HostileCase.Role.RESTRICTED));
    }
}
