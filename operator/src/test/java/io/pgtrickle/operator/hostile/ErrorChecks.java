package io.pgtrickle.operator.hostile;

import io.pgtrickle.operator.errors.UserFacingException;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What makes a refusal clear, for the CLI's output and for the service's exceptions: it says what is wrong (the
 * case's expected words), names the stream table (or the file), comes with a hint, and carries no Java stack
 * trace, exception class or package name, bare SQLSTATE line, pg-trickle's internal SQL, error position outside
 * the user's query, control or bidirectional-override character, test password, or pages of text.
 */
final class ErrorChecks {
    private ErrorChecks() {
    }

    private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s*at [\\w.$]+\\(");
    private static final Pattern CLASS_NAME = Pattern.compile("\\b[A-Z]\\w*(Exception|Error)\\b|\\b(java|javax|org\\"
            + ".postgresql|com\\.fasterxml|io\\.pgtrickle|org\\.yaml)\\.[a-z]");
    private static final Pattern SQLSTATE_ONLY = Pattern.compile("(?mi)^\\s*(\\S+:\\s*){0,3}\\(?SQLSTATE:?\\s*\\w{5}\\)?\\s*$");
    private static final Pattern INTERNAL_SQL = Pattern.compile("__pgt_dependencies|EXPLAIN \\(VERBOSE|SELECT \\* FROM"
            + " \\(\\n");
    private static final Pattern POSITION = Pattern.compile("at character (\\d+) of the query");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}&&[^\\n\\t]]|[\\u202a-\\u202e\\u2066-\\u2069]");
    static final int MAX_OUTPUT = 8_000;

    /** Problems with {@code text}, a refusal shown to the user, of {@code c}. */
    static List<String> text(HostileCase c, String text) {
        List<String> p = new ArrayList<>();
        if (!Pattern.compile(c.expect(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL).matcher(text).find()) {
            p.add("does not say what is wrong (expected /" + c.expect() + "/)");
        }
        if (STACK_FRAME.matcher(text).find()) {
            p.add("shows a Java stack trace");
        }
        Matcher m = CLASS_NAME.matcher(text);
        if (m.find()) {
            p.add("shows a Java class or package name (" + m.group() + ")");
        }
        if (SQLSTATE_ONLY.matcher(text).find()) {
            p.add("has a line with nothing but a SQLSTATE");
        }
        if (INTERNAL_SQL.matcher(text).find()) {
            p.add("shows pg-trickle's internal SQL");
        }
        Matcher pos = POSITION.matcher(text);
        while (pos.find()) {
            long at = Long.parseLong(pos.group(1));
            if (c.query() == null || at < 1 || at > c.query().length() + 1) {
                p.add("quotes error position " + at + ", outside the query");
            }
        }
        if (CONTROL.matcher(text).find()) {
            p.add("contains control or bidirectional-override characters");
        }
        if (text.contains("pgt-secret-")) {
            p.add("shows a password");
        }
        if (text.length() > MAX_OUTPUT) {
            p.add("is " + text.length() + " characters long");
        }
        return p;
    }

    /** Problems with the CLI's refusal of {@code c}: exit code, naming, hint, and {@link #text}. */
    static List<String> cli(HostileCase c, String command, int code, String out, String err) {
        List<String> p = new ArrayList<>();
        if (code == 0) {
            p.add("exit code 0");
        }
        List<String> subjects = c.subjects().stream().filter(s -> !s.isBlank()).toList();
        if (subjects.stream().noneMatch(err::contains)) {
            p.add("does not name " + String.join(" or ", subjects.stream().map(ErrorChecks::shorten).toList()));
        }
        if (!err.contains("hint:")) {
            p.add("gives no hint");
        }
        p.addAll(text(c, out + err));
        if (!p.isEmpty()) {
            p.add("exit " + code + ", stderr: " + shorten(err.strip()));
        }
        return p.stream().map(x -> command + ": " + x).toList();
    }

    /**
     * Problems with the service's refusal {@code t} of {@code c} in {@code op}: it must be one the operator reports
     * on the resource with a reason and a hint (a {@link UserFacingException}; an {@link IllegalArgumentException}
     * from reading the spec, reported as InvalidSpec; a connection failure for a target that is not there).
     */
    static List<String> service(HostileCase c, String op, Throwable t) {
        List<String> p = new ArrayList<>();
        if (t == null) {
            p.add(op + " succeeded");
            return p;
        }
        boolean target = c.role() == HostileCase.Role.MISSING_DATABASE || c.role() == HostileCase.Role.UNREACHABLE;
        boolean reported = t instanceof UserFacingException
                || (op.equals("definition") && t instanceof IllegalArgumentException)
                || (target && t instanceof SQLException);
        if (!reported) {
            p.add(op + " threw " + t.getClass().getSimpleName() + " (no status reason): " + shorten(t.getMessage()));
            return p;
        }
        if (t instanceof UserFacingException u && (u.hint() == null || u.hint().isBlank())) {
            p.add(op + ": no hint");
        }
        String message = String.valueOf(t.getMessage());
        text(c, message).forEach(x -> p.add(op + ": " + x + ": " + shorten(message)));
        return p;
    }

    static String shorten(String s) {
        if (s == null) {
            return "null";
        }
        String one = s.replace("\n", " | ").replaceAll("\\p{Cc}", "?");
        return one.length() > 400 ? one.substring(0, 400) + "…(" + one.length() + " chars)" : one;
    }
}
