package io.pgtrickle.dvm.parse;

import io.pgtrickle.dvm.catalog.Catalog;
import io.pgtrickle.dvm.catalog.CatalogColumn;
import io.pgtrickle.dvm.catalog.CatalogTable;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.schema.lookup.LikePattern;
import org.apache.calcite.schema.lookup.Lookup;
import org.apache.calcite.schema.lookup.Named;

/**
 * The target database's catalog as a Calcite root schema. Lookups are lazy and exact: every
 * schema name resolves (PostgreSQL reports the missing ones), a table resolves when the
 * {@link Catalog} knows it.
 */
public final class CatalogSchema extends AbstractSchema {
  /** Prefix of the columns the engine adds to storage tables; never visible to queries. */
  static final String HIDDEN_PREFIX = "__pgt_";

  private final Catalog catalog;

  public CatalogSchema(Catalog catalog) {
    this.catalog = catalog;
  }

  /** PostgreSQL type aliases ({@code text}, {@code int8}, {@code jsonb}, …) for casts. */
  @Override
  protected java.util.Map<String, org.apache.calcite.rel.type.RelProtoDataType> getTypeMap() {
    return PgTypes.aliases();
  }

  @Override
  public Lookup<? extends Schema> subSchemas() {
    return new Lookup<Schema>() {
      @Override
      public Schema get(String name) {
        return new PgSchema(catalog, name);
      }

      @Override
      public Named<Schema> getIgnoreCase(String name) {
        // Identifiers are case-sensitive after folding: no case-insensitive fallback.
        return new Named<>(name, get(name));
      }

      @Override
      public Set<String> getNames(LikePattern pattern) {
        return Set.of();
      }
    };
  }

  /** One PostgreSQL schema. */
  static final class PgSchema extends AbstractSchema {
    private final Catalog catalog;
    private final String schemaName;

    PgSchema(Catalog catalog, String schemaName) {
      this.catalog = catalog;
      this.schemaName = schemaName;
    }

    @Override
    public Lookup<Table> tables() {
      return new Lookup<Table>() {
        @Override
        public Table get(String name) {
          Optional<CatalogTable> t = catalog.table(schemaName, name);
          return t.map(CatalogBackedTable::new).orElse(null);
        }

        @Override
        public Named<Table> getIgnoreCase(String name) {
          Table t = get(name);
          return t == null ? null : new Named<>(name, t);
        }

        @Override
        public Set<String> getNames(LikePattern pattern) {
          return Set.of();
        }
      };
    }

    @Override
    public Lookup<? extends Schema> subSchemas() {
      return Lookup.empty();
    }
  }

  /** A catalog table seen by Calcite: its visible columns with their PostgreSQL types. */
  public static final class CatalogBackedTable extends AbstractTable {
    private final CatalogTable table;

    CatalogBackedTable(CatalogTable table) {
      this.table = table;
    }

    public CatalogTable catalogTable() {
      return table;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory tf) {
      RelDataTypeFactory.Builder b = tf.builder();
      for (CatalogColumn c : table.columns()) {
        if (!c.name().startsWith(HIDDEN_PREFIX)) {
          b.add(c.name(), PgTypes.toCalcite(c.type(), tf, !c.notNull()));
        }
      }
      return b.build();
    }
  }
}
