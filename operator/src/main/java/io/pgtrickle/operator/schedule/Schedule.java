package io.pgtrickle.operator.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a stream table refreshes: every fixed duration ({@code 30s}, {@code 1h30m}, {@code 500ms}) or
 * on a five-field cron expression in UTC ({@code *&#47;5 * * * *}, {@code @hourly}). The same
 * grammar the CRD validates, parsed once here so the operator and the CLI agree.
 */
public sealed interface Schedule permits Schedule.Every, Schedule.Cron {

    /** The first firing strictly after {@code after}. */
    Instant nextAfter(Instant after);

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message that says what a valid schedule looks like
     */
    static Schedule parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("schedule is empty");
        }
        String t = text.trim();
        if (Every.PATTERN.matcher(t).matches()) {
            return Every.parse(t);
        }
        return Cron.parse(t);
    }

    /**
     * Parses a duration such as {@code 30s} or {@code 1h30m} (not a cron expression).
     *
     * @throws IllegalArgumentException when {@code text} is not a duration
     */
    public static Duration duration(String text) {
        if (text == null || !Every.PATTERN.matcher(text.trim()).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; use e.g. 30s, 5m or 1h30m");
        }
        return Every.parse(text.trim()).interval();
    }

    /** A fixed interval, measured from the previous firing. */
    record Every(Duration interval) implements Schedule {
        static final Pattern PATTERN = Pattern.compile("([0-9]+(ms|s|m|h|d))+");
        private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

        public Every {
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("schedule interval must be positive");
            }
        }

        static Every parse(String t) {
            Matcher m = PART.matcher(t);
            Duration d = Duration.ZERO;
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
            return new Every(d);
        }

        @Override
        public Instant nextAfter(Instant after) {
            return after.plus(interval);
        }
    }

    /** A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC. */
    record Cron(String expression, BitSet minutes, BitSet hours, BitSet days, BitSet months, BitSet weekdays,
                boolean dayRestricted, boolean weekdayRestricted) implements Schedule {
        private static final Map<String, String> MACROS = Map.of(
                "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
                "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
        private static final String HELP = "use a duration like 30s, 5m or 1h30m, or a five-field cron expression"
                + " like \"*/5 * * * *\" (minute hour day month weekday) or @hourly/@daily";

        private static final String[] WEEKDAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
        private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
            "NOV", "DEC"};

        /** Replaces MON or JAN style names by their numbers. */
        private static String names(String field, String[] names, int first) {
            String out = field.toUpperCase(Locale.ROOT);
            for (int i = 0; i < names.length; i++) {
                out = out.replace(names[i], Integer.toString(first + i));
            }
            return out;
        }

        static Cron parse(String t) {
            String expr = MACROS.getOrDefault(t.toLowerCase(Locale.ROOT), t);
            String[] f = expr.trim().split("\\s+");
            if (f.length != 5) {
                throw new IllegalArgumentException("invalid schedule '" + t + "': " + HELP);
            }
            try {
                BitSet weekdays = field(names(f[4], WEEKDAYS, 0), 0, 7);
                if (weekdays.get(7)) {
                    weekdays.set(0); // both 0 and 7 mean Sunday
                }
                return new Cron(t, field(f[0], 0, 59), field(f[1], 0, 23), field(f[2], 1, 31), field(names(f[3], MONTHS, 1), 1, 12),
                        weekdays, !f[2].equals("*"), !f[4].equals("*"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid schedule '" + t + "': " + e.getMessage() + "; " + HELP);
            }
        }

        private static BitSet field(String spec, int min, int max) {
            BitSet bits = new BitSet();
            for (String part : spec.split(",")) {
                int step = 1;
                String range = part;
                int slash = part.indexOf('/');
                if (slash >= 0) {
                    step = number(part.substring(slash + 1), 1, max);
                    range = part.substring(0, slash);
                }
                int lo;
                int hi;
                if (range.equals("*")) {
                    lo = min;
                    hi = max;
                } else if (range.contains("-")) {
                    String[] ab = range.split("-", 2);
                    lo = number(ab[0], min, max);
                    hi = number(ab[1], min, max);
                    if (hi < lo) {
                        throw new IllegalArgumentException("range " + range + " is backwards");
                    }
                } else {
                    lo = number(range, min, max);
                    hi = slash >= 0 ? max : lo;
                }
                for (int v = lo; v <= hi; v += step) {
                    bits.set(v);
                }
            }
            return bits;
        }

        private static int number(String s, int min, int max) {
            try {
                int v = Integer.parseInt(s);
                if (v < min || v > max) {
                    throw new IllegalArgumentException(s + " is outside " + min + "-" + max);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a number");
            }
        }

        @Override
        public Instant nextAfter(Instant after) {
            ZonedDateTime t = after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            // Four years of minutes bounds the search even for "29 February" expressions.
            for (int i = 0; i < 4 * 366 * 24 * 60; i++) {
                if (!months.get(t.getMonthValue())) {
                    t = t.withDayOfMonth(1).withHour(0).withMinute(0).plusMonths(1);
                    continue;
                }
                if (!dayMatches(t)) {
                    t = t.withHour(0).withMinute(0).plusDays(1);
                    continue;
                }
                if (!hours.get(t.getHour())) {
                    t = t.withMinute(0).plusHours(1);
                    continue;
                }
                if (!minutes.get(t.getMinute())) {
                    t = t.plusMinutes(1);
                    continue;
                }
                return t.toInstant();
            }
            throw new IllegalStateException("cron expression " + expression + " never fires");
        }

        private boolean dayMatches(ZonedDateTime t) {
            boolean dom = days.get(t.getDayOfMonth());
            boolean dow = weekdays.get(t.getDayOfWeek().getValue() % 7);
            // Vixie cron: when both fields are restricted, either may match.
            if (dayRestricted && weekdayRestricted) {
                return dom || dow;
            }
            return dom && dow;
        }
    }
}
