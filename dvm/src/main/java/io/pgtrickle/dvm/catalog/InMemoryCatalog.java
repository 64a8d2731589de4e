package io.pgtrickle.dvm.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Catalog} held in memory: for tests, {@code explain} without a database, and the demo.
 *
 * <pre>{@code
 * Catalog c = InMemoryCatalog.builder()
 *     .table("public", "src", 16384, "id bigint primary key, grp int not null, val numeric")
 *     .build();
 * }</pre>
 */
public final class InMemoryCatalog implements Catalog {
  private final Map<String, CatalogTable> tables;
  private final List<String> searchPath;
  private final java.util.Set<String> changingUserFunctions;

  private InMemoryCatalog(Map<String, CatalogTable> tables, List<String> searchPath,
      java.util.Set<String> changingUserFunctions) {
    this.tables = Map.copyOf(tables);
    this.searchPath = List.copyOf(searchPath);
    this.changingUserFunctions = java.util.Set.copyOf(changingUserFunctions);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<CatalogTable> table(String schema, String name) {
    return Optional.ofNullable(tables.get(schema + "\u0000" + name));
  }

  @Override
  public List<String> searchPath() {
    return searchPath;
  }

  @Override
  public boolean userFunctionMayChange(String name) {
    return changingUserFunctions.contains(name);
  }

  /** Builds an {@link InMemoryCatalog}. */
  public static final class Builder {
    private final Map<String, CatalogTable> tables = new LinkedHashMap<>();
    private List<String> searchPath = List.of("public");
    private final java.util.Set<String> changingUserFunctions = new java.util.HashSet<>();

    public Builder table(CatalogTable table) {
      tables.put(table.schema() + "\u0000" + table.name(), table);
      return this;
    }

    /**
     * Adds a table described like a simple {@code CREATE TABLE} column list:
     * {@code "id bigint primary key, name text not null, tags text[]"}; a trailing
     * {@code primary key (a, b)} element declares a composite key. Names are taken as written
     * ({@code "Mixed"} in double quotes keeps its case and loses the quotes).
     */
    public Builder table(String schema, String name, long oid, String columnList) {
      List<CatalogColumn> columns = new ArrayList<>();
      List<String> pk = new ArrayList<>();
      for (String element : splitTopLevel(columnList)) {
        String e = element.trim();
        String lower = e.toLowerCase();
        if (lower.startsWith("primary key")) {
          String inner = e.substring(e.indexOf('(') + 1, e.lastIndexOf(')'));
          for (String k : inner.split(",")) {
            pk.add(unquote(k.trim()));
          }
          continue;
        }
        int sp = e.indexOf(' ');
        String col = unquote(e.substring(0, sp));
        String rest = e.substring(sp + 1).trim();
        boolean primary = false;
        boolean notNull = false;
        String restLower = rest.toLowerCase();
        if (restLower.endsWith(" primary key")) {
          primary = true;
          notNull = true;
          rest = rest.substring(0, rest.length() - " primary key".length()).trim();
        } else if (restLower.endsWith(" not null")) {
          notNull = true;
          rest = rest.substring(0, rest.length() - " not null".length()).trim();
        }
        columns.add(new CatalogColumn(col, rest, notNull));
        if (primary) {
          pk.add(col);
        }
      }
      List<CatalogColumn> withKeyNotNull = new ArrayList<>();
      for (CatalogColumn c : columns) {
        withKeyNotNull.add(pk.contains(c.name()) ? new CatalogColumn(c.name(), c.type(), true) : c);
      }
      return table(new CatalogTable(oid, schema, name, withKeyNotNull, pk));
    }

    public Builder searchPath(List<String> path) {
      this.searchPath = List.copyOf(path);
      return this;
    }

    /** The database's own functions that are not {@code IMMUTABLE} (see {@link Catalog#userFunctionMayChange}). */
    public Builder changingUserFunctions(String... names) {
      changingUserFunctions.addAll(List.of(names));
      return this;
    }

    public InMemoryCatalog build() {
      return new InMemoryCatalog(tables, searchPath, changingUserFunctions);
    }

    private static String unquote(String name) {
      return name.startsWith("\"") && name.endsWith("\"")
          ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name;
    }

    private static List<String> splitTopLevel(String s) {
      List<String> out = new ArrayList<>();
      int depth = 0;
      int start = 0;
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (ch == '(') {
          depth++;
        } else if (ch == ')') {
          depth--;
        } else if (ch == ',' && depth == 0) {
          out.add(s.substring(start, i));
          start = i + 1;
        }
      }
      if (start < s.length()) {
        out.add(s.substring(start));
      }
      return out;
    }
  }
}
