package io.pgtrickle.operator.cli;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.lifecycle.DeleteOutcome;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.Optional;

/**
 * {@code pgtrickle delete --db URL NAME... [--retain]}: what the operator's finalizer does when a StreamTable
 * resource is deleted, from the command line: the storage table dropped (or kept with {@code --retain}), the
 * catalog rows removed, and change capture no other stream table needs removed.
 */
final class DeleteCommand {
    private final PrintStream out;
    private final PrintStream err;

    DeleteCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(Args a) throws SQLException {
        if (a.positional().isEmpty()) {
            throw new Args.UsageException("delete needs at least one NAME");
        }
        StreamTableService service = new StreamTableService(Main.database(a));
        ReclaimPolicy reclaim = a.has("--retain") ? ReclaimPolicy.Retain : ReclaimPolicy.Delete;
        int failed = 0;
        for (String n : a.positional()) {
            StreamTableKey key = Main.key(n, Main.namespace(a));
            Optional<StreamTableRecord> rec = service.find(key);
            if (rec.isEmpty()) {
                failed++;
                err.println("error: " + n + ": no stream table " + key + " in this database");
                err.println("  hint: pgtrickle status --db … lists them");
                continue;
            }
            // the CLI is the owner here: it deletes whatever resource installed it
            DeleteOutcome outcome = service.delete(key, rec.get().resourceUid(), reclaim);
            out.printf("streamtable/%s deleted: table %s %s%n", n, rec.get().qualifiedTable(),
                    outcome == DeleteOutcome.RETAINED ? "kept (no longer maintained)" : "dropped");
        }
        return failed == 0 ? 0 : 1;
    }
}
