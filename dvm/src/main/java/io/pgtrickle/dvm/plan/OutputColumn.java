package io.pgtrickle.dvm.plan;

/**
 * A column of the storage table.
 *
 * @param name   exact column name
 * @param pgType PostgreSQL type as derived by the planner (informational: the storage table is
 *               created with PostgreSQL's own derivation, {@code CREATE TABLE … AS … WITH NO
 *               DATA}); {@code null} when the planner cannot tell
 */
public record OutputColumn(String name, String pgType) {}
