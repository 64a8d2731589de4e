package io.pgtrickle.operator.cli;

import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.dvm.plan.SourceUse;
import io.pgtrickle.operator.db.InvalidQueryException;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.errors.UserFacingException;
import io.pgtrickle.operator.lifecycle.ApplyResult;
import io.pgtrickle.operator.lifecycle.Explanation;
import io.pgtrickle.operator.lifecycle.NoSuchStreamTableException;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.schedule.DependencyOrder;
import io.pgtrickle.operator.standalone.Demo;
import io.pgtrickle.operator.standalone.StandaloneRunner;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The {@code pgtrickle} command line: the same lifecycle code as the operator, with StreamTables
 * read from YAML files and a JDBC URL instead of a Kubernetes cluster. Exit codes: 0 success,
 * 1 an operation failed (message on stderr), 2 bad command line.
 */
public final class Main {
    static final String USAGE = """
            usage: pgtrickle <command> [options]

            commands:
              apply   --db JDBC_URL -f FILE...      create or update the StreamTables in FILE(s), load them
              refresh --db JDBC_URL NAME... [--only] refresh now, their upstream stream tables first
              status  --db JDBC_URL [-o json|table] show every stream table in the database
              explain --db JDBC_URL -f FILE... [--sql] the effective mode, why, captures, the refresh statement
              delete  --db JDBC_URL NAME... [--retain] drop stream tables (keep their tables with --retain)
              verify  --db JDBC_URL NAME... [--rows N] compare with the query, changing nothing (exit 1: differs)
              run     --db JDBC_URL -f FILE...      apply, then keep refreshing on schedule until interrupted
              demo    [--duration 60s]              embedded PostgreSQL + examples/ + a write load, live status

            pgtrickle COMMAND --help shows one command; pgtrickle --version the version.
            NAME is metadata.name, or namespace/name; -n NAMESPACE sets the default namespace ("default").
            With --db, spec.target in the files is ignored. Credentials may be given in the URL
            (?user=..&password=..) or with PGUSER/PGPASSWORD.""";

    private final PrintStream out;
    private final PrintStream err;

    public Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] argv) {
        System.exit(new Main(System.out, System.err).run(argv));
    }

    /** Runs one command; returns the process exit code. */
    public int run(String... argv) {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
            out.println(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        if (argv[0].equals("--version") || argv[0].equals("version")) {
            out.println("pgtrickle " + version());
            return 0;
        }
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            String help = CommandHelp.of(argv[0]);
            if (help != null) {
                out.println(help);
                return 0;
            }
        }
        try {
            return switch (argv[0]) {
                case "apply" -> apply(Args.parse(rest, Set.of("--db", "-f", "--filename", "-n", "--namespace")));
                case "refresh" -> refresh(Args.parse(rest, Set.of("--db", "-n", "--namespace"), Set.of("--only")));
                case "explain" -> explain(Args.parse(rest, Set.of("--db", "-f", "--filename", "-n", "--namespace"),
                        Set.of("--sql")));
                case "delete" -> new DeleteCommand(out, err).run(Args.parse(rest, Set.of("--db", "-n", "--namespace"),
                        Set.of("--retain")));
                case "verify" -> new VerifyCommand(out).run(Args.parse(rest, Set.of("--db", "-n", "--namespace",
                        "--rows"), Set.of("--repair")));
                case "status" -> status(Args.parse(rest, Set.of("--db", "-o", "--output")));
                case "run" -> runStandalone(Args.parse(rest,
                        Set.of("--db", "-f", "--filename", "-n", "--namespace", "--duration")));
                case "demo" -> new Demo(out, err).run(Args.parse(rest, Set.of("--duration")).one("--duration", null));
                default -> throw new Args.UsageException("unknown command '" + argv[0] + "'");
            };
        } catch (Args.UsageException e) {
            err.println("pgtrickle: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (SQLException e) {
            err.println("pgtrickle: database error: " + firstLine(e.getMessage()));
            return 1;
        } catch (RuntimeException e) {
            err.println("pgtrickle: " + firstLine(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    private int apply(Args a) throws SQLException {
        StreamTableService service = new StreamTableService(database(a));
        List<StreamTable> resources;
        java.util.Map<String, io.pgtrickle.crds.v1alpha1.RefreshPolicy> policies;
        try {
            StreamTableFiles.Loaded loaded = StreamTableFiles.load(files(a));
            resources = loaded.streamTables();
            policies = loaded.policies();
        } catch (java.io.IOException | IllegalArgumentException e) {
            fileError(e);
            return 1;
        }
        int failed = 0;
        for (StreamTable st : resources) {
            String name = st.getMetadata() == null ? "?" : st.getMetadata().getName();
            try {
                StreamTableDefinition def = StreamTableFiles.definition(st, namespace(a), policies);
                ApplyResult r = service.apply(def);
                StreamTableRecord rec = r.record();
                out.printf("streamtable/%s %s: table %s, %s%s%n", name,
                        r.repairedStorage() ? "storage table was missing: created again and loaded"
                                : r.inPlace() ? "recomputed in place" : r.rebuilt() ? "created and loaded"
                                : "unchanged",
                        rec.qualifiedTable(), rec.effectiveMode(),
                        r.rebuilt() && rec.lastRefreshRows() != null ? ", " + rec.lastRefreshRows() + " rows" : "");
                if (r.rejectedPlan() != null) {
                    out.printf("streamtable/%s: maintained in FULL: %s%n", name, r.rejectedPlan());
                }
                r.warnings().forEach(w -> out.printf("streamtable/%s: warning: %s%n", name, w));
            } catch (InvalidQueryException e) {
                failed++;
                report(name, "invalid query: " + e.getMessage(), e.hint());
            } catch (UserFacingException e) {
                failed++;
                report(name, e.getMessage(), e.hint());
            } catch (IllegalArgumentException e) {
                failed++;
                report(name, e.getMessage(), null);
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private int explain(Args a) throws SQLException {
        StreamTableService service = new StreamTableService(database(a));
        int failed = 0;
        StreamTableFiles.Loaded loaded;
        try {
            loaded = StreamTableFiles.load(files(a));
        } catch (java.io.IOException | IllegalArgumentException e) {
            fileError(e);
            return 1;
        }
        {
            for (StreamTable st : loaded.streamTables()) {
                String name = st.getMetadata().getName();
                try {
                    // tuned by its RefreshPolicy as apply tunes it (createSchemas, timeouts)
                    Explanation x = service.explain(StreamTableFiles.definition(st, namespace(a), loaded.policies()));
                    out.println("streamtable/" + name + ": " + x.effectiveMode());
                    out.println("  reason: " + x.reason());
                    for (SourceUse src : x.sources()) {
                        out.println("  captures " + src.schema() + "." + src.table() + " " + src.columns());
                    }
                    if (a.has("--sql")) {
                        out.println("-- storage");
                        x.storageDdl().forEach(d -> out.println(d + ";"));
                        if (x.deltaSql() != null) {
                            out.println("-- delta (consolidated change of one refresh)");
                            out.println(x.deltaSql() + ";");
                        }
                        out.println("-- read the stream table");
                        out.println(x.readSql() + ";");
                    }
                    if (x.refreshSql() != null) {
                        out.println("-- refresh (one MERGE per refresh" + (a.has("--sql") ? ")"
                                : "; --sql shows the storage DDL and the change SELECT too)"));
                        out.println(x.refreshSql() + ";");
                    }
                    out.println();
                } catch (InvalidQueryException e) {
                    failed++;
                    report(name, "invalid query: " + e.getMessage(), e.hint());
                } catch (UserFacingException e) {
                    failed++;
                    report(name, e.getMessage(), e.hint());
                } catch (IllegalArgumentException e) {
                    failed++;
                    report(name, e.getMessage(), null);
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private int runStandalone(Args a) {
        String d = a.one("--duration", null);
        return new StandaloneRunner(out, err).run(database(a), files(a), namespace(a),
                d == null ? null : io.pgtrickle.operator.schedule.Schedule.duration(d), null);
    }

    private int refresh(Args a) throws SQLException {
        if (a.positional().isEmpty()) {
            throw new Args.UsageException("refresh needs at least one NAME");
        }
        StreamTableService service = new StreamTableService(database(a));
        List<StreamTableKey> keys = new ArrayList<>();
        for (String n : a.positional()) {
            keys.add(key(n, namespace(a)));
        }
        int failed = 0;
        if (!a.has("--only")) {
            // upstream stream tables first, to the same point, so the named ones read fresh data (as Snowflake's
            // dynamic tables do); --only refreshes just the named ones
            keys = upstreamClosure(keys, service);
        }
        for (StreamTableKey k : DependencyOrder.sort(keys, service::upstreamOf)) {
            try {
                RefreshResult r = service.refresh(k);
                // the duration the catalog recorded (what status shows), not this process's round trip around it
                double ms = service.find(k).map(StreamTableRecord::lastRefreshMs).orElse(r.durationMs());
                out.printf("refreshed %s: %d rows in %.1f ms (%s%s)%n", display(k), r.rows(), ms, r.mode(),
                        r.reason() == null ? "" : ": " + r.reason());
                service.cleanupAfter(r);
            } catch (NoSuchStreamTableException e) {
                failed++;
                report(display(k), e.getMessage(), null);
            } catch (UserFacingException e) {
                failed++;
                report(display(k), e.getMessage(), e.hint());
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** {@code keys} and every stream table they read, directly or through others. */
    private static List<StreamTableKey> upstreamClosure(List<StreamTableKey> keys, StreamTableService service)
            throws SQLException {
        java.util.LinkedHashSet<StreamTableKey> all = new java.util.LinkedHashSet<>(keys);
        java.util.ArrayDeque<StreamTableKey> todo = new java.util.ArrayDeque<>(keys);
        while (!todo.isEmpty()) {
            for (StreamTableKey up : service.upstreamOf(todo.pop())) {
                if (all.add(up)) {
                    todo.push(up);
                }
            }
        }
        return new ArrayList<>(all);
    }

    /** The version in the jar's manifest; a development build when run from classes. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private int status(Args a) throws SQLException {
        String format = a.one("-o", a.one("--output", "table"));
        List<StreamTableRecord> records = new StreamTableService(database(a)).list();
        switch (format) {
            case "json" -> StatusView.printJson(records, out);
            case "table", "wide" -> StatusView.printTable(records, out, Instant.now());
            default -> throw new Args.UsageException("unknown output format '" + format + "' (use json or table)");
        }
        return 0;
    }

    /** A file that cannot be used as it is: what is wrong (every problem of every file) and what to do. */
    private void fileError(Exception e) {
        err.println("error: " + e.getMessage());
        err.println("  hint: fix the file(s); kubectl apply --dry-run=server -f FILE reports the same problems");
    }

    void report(String name, String message, String hint) {
        err.println("error: " + name + ": " + message);
        if (hint != null) {
            err.println("  hint: " + hint);
        }
    }

    static JdbcDatabase database(Args a) {
        String url = a.required("--db", "JDBC_URL (e.g. jdbc:postgresql://localhost:5432/app)");
        try {
            return new JdbcDatabase(url, url.contains("user=") ? null : System.getenv("PGUSER"),
                    url.contains("password=") ? null : System.getenv("PGPASSWORD"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }

    static List<Path> files(Args a) {
        List<String> f = new ArrayList<>(a.all("-f"));
        f.addAll(a.all("--filename"));
        if (f.isEmpty()) {
            throw new Args.UsageException("missing -f FILE");
        }
        return f.stream().map(Path::of).toList();
    }

    static String namespace(Args a) {
        return a.one("-n", a.one("--namespace", "default"));
    }

    static StreamTableKey key(String text, String defaultNamespace) {
        int slash = text.indexOf('/');
        return slash < 0 ? new StreamTableKey(defaultNamespace, text)
                : new StreamTableKey(text.substring(0, slash), text.substring(slash + 1));
    }

    private static String display(StreamTableKey k) {
        return k.namespace().equals("default") ? k.name() : k.toString();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }
}
