package io.pgtrickle.operator.schedule;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleTest {
    private static final Instant T = Instant.parse("2026-11-25T10:07:30Z");

    @Test
    void durationsAddUp() {
        assertEquals(new Schedule.Every(Duration.ofMinutes(90)), Schedule.parse("1h30m"));
        assertEquals(T.plusMillis(500), Schedule.parse("500ms").nextAfter(T));
    }

    @Test
    void cronStepFiresOnTheNextMatchingMinute() {
        assertEquals(Instant.parse("2026-11-25T10:10:00Z"), Schedule.parse("*/5 * * * *").nextAfter(T));
        assertEquals(Instant.parse("2026-11-25T11:00:00Z"), Schedule.parse("@hourly").nextAfter(T));
        assertEquals(Instant.parse("2026-11-26T00:00:00Z"), Schedule.parse("@daily").nextAfter(T));
    }

    @Test
    void cronWeekdayAndMonthAreHonoured() {
        // 2026-11-25 is a Wednesday; next Monday 09:00 is 2026-11-30.
        assertEquals(Instant.parse("2026-11-30T09:00:00Z"), Schedule.parse("0 9 * * 1").nextAfter(T));
        assertEquals(Instant.parse("2027-02-01T00:00:00Z"), Schedule.parse("0 0 1 2 *").nextAfter(T));
        assertEquals(Instant.parse("2026-11-26T03:00:00Z"), Schedule.parse("0 3 * * MON-FRI").nextAfter(T));
        assertEquals(Instant.parse("2026-11-28T03:00:00Z"), Schedule.parse("0 3 * * sat").nextAfter(T));
        assertEquals(Instant.parse("2027-01-01T00:00:00Z"), Schedule.parse("0 0 1 JAN *").nextAfter(T));
    }

    @Test
    void durationAcceptsOnlyDurations() {
        assertEquals(Duration.ofSeconds(90), Schedule.duration("1m30s"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.duration("@hourly"));
        assertTrue(e.getMessage().contains("not a duration"), e.getMessage());
    }

    @Test
    void invalidSchedulesSayWhatIsExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("every 5"));
        assertTrue(e.getMessage().contains("30s"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("61 * * * *"));
        assertTrue(e.getMessage().contains("outside 0-59"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Schedule.parse("0s"));
    }
}
