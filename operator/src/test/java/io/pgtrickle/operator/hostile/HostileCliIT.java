package io.pgtrickle.operator.hostile;

import io.pgtrickle.operator.cli.Main;
import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hostile-input suite through the CLI's in-process entry point: every case, as the file a user would give to
 * {@code pgtrickle apply -f} and {@code pgtrickle explain -f} (or as its command line), against a real
 * PostgreSQL. Each must exit non-zero with an error on stderr that names the stream table (or the file), says what
 * is wrong and gives a hint, with no stack trace, exception class or bare SQLSTATE line; must execute nothing and
 * leave nothing behind (as {@link HostileInputIT} checks).
 */
class HostileCliIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    static Path dir;

    private static HostileFixture fixture;

    @BeforeAll
    static void fixture() throws Exception {
        fixture = HostileFixture.create(PG.database(), "hostile_cli");
    }

    @AfterAll
    static void close() throws Exception {
        fixture.close();
    }

    static Stream<HostileCase> passing() {
        return HostileSpecs.cliPassing();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passing")
    void isRefusedClearlyExecutingNothingAndLeavingNothing(HostileCase c) throws Exception {
        List<String> problems = run(c);
        if (!problems.isEmpty()) {
            fail(c + ":\n  " + String.join("\n  ", problems));
        }
    }

    /** Each known gap still fails: once the product refuses it cleanly, this demands its removal from the list. */
    @TestFactory
    Stream<DynamicTest> knownGapsStillFail() {
        return HostileSpecs.cliGaps().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            List<String> problems = run(c);
            System.out.println("KNOWN GAP (cli) " + c + ": " + HostileSpecs.CLI_GAPS.get(c.id()) + "\n  actual: "
                    + String.join("\n  ", problems));
            assertTrue(!problems.isEmpty(), c + " is refused cleanly now: remove it from HostileSpecs.CLI_GAPS");
        }));
    }

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            code = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        } catch (RuntimeException | StackOverflowError e) {
            // what a real process would print before dying
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            return new Result(1, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + trace);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code c} through apply and explain (or its command line); returns every problem found. */
    private static List<String> run(HostileCase c) throws Exception {
        DatabaseSnapshot before = fixture.before(c.role());
        List<String> problems = new ArrayList<>();
        DatabaseSnapshot after = null;
        try {
            String url = fixture.url(c.role());
            if (c.level() == HostileCase.Level.ARGS) {
                String[] args = c.args().stream().map(a -> a.replace("{db}", url)).toArray(String[]::new);
                Result r = cli(args);
                problems.addAll(ErrorChecks.cli(c, args[0], r.code(), r.out(), r.err()));
            } else {
                Path file = dir.resolve(c.id() + ".yaml");
                Files.writeString(file, c.yaml(), StandardCharsets.UTF_8);
                Result apply = cli("apply", "--db", url, "-f", file.toString());
                problems.addAll(ErrorChecks.cli(c, "apply", apply.code(), apply.out(), apply.err()));
                Result explain = cli("explain", "--db", url, "-f", file.toString());
                if (explain.code() != 0 || !c.atLoad()) {
                    problems.addAll(ErrorChecks.cli(c, "explain", explain.code(), explain.out(), explain.err()));
                }
            }
            after = fixture.snapshot(c.role());
            String diff = after.diff(before);
            if (!diff.isEmpty()) {
                problems.add("the database changed:" + diff);
            }
        } finally {
            fixture.restore(c, before, after);
        }
        return problems;
    }
}
