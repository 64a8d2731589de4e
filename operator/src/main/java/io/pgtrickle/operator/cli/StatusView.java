package io.pgtrickle.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.lifecycle.StreamTableService;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders stream table status for people (a table like {@code kubectl get}) and for programs (a
 * JSON array whose field names match the StreamTable status). The JSON shape is a contract:
 * add fields, never rename them.
 */
public final class StatusView {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StatusView() {
    }

    /** Ready condition's reason, as on the resource. */
    public static String reason(StreamTableRecord r) {
        if (r.ready()) {
            return "Refreshed";
        }
        if (r.consecutiveErrors() > 0) {
            return "RefreshFailed";
        }
        return "Pending";
    }

    public static Map<String, Object> toJson(StreamTableRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("namespace", r.namespace());
        m.put("table", r.qualifiedTable());
        m.put("refreshMode", r.refreshMode());
        m.put("effectiveRefreshMode", r.effectiveMode());
        m.put("refreshModeReason", r.modeReason());
        m.put("schedule", r.schedule());
        m.put("suspended", r.suspended());
        m.put("ready", r.ready());
        m.put("reason", reason(r));
        if (r.lastRefreshAt() != null) {
            Map<String, Object> lr = new LinkedHashMap<>();
            lr.put("time", r.lastRefreshAt().toString());
            lr.put("durationMs", r.lastRefreshMs() == null ? null : Math.round(r.lastRefreshMs() * 1000) / 1000.0);
            lr.put("rows", r.lastRefreshRows());
            lr.put("mode", r.lastRefreshMode());
            lr.put("reason", r.lastRefreshReason());
            m.put("lastRefresh", lr);
        } else {
            m.put("lastRefresh", null);
        }
        m.put("consecutiveErrors", r.consecutiveErrors());
        if (r.lastError() != null) {
            Map<String, Object> le = new LinkedHashMap<>();
            le.put("time", r.lastErrorAt() == null ? null : r.lastErrorAt().toString());
            le.put("message", r.lastError());
            le.put("hint", r.lastErrorHint());
            m.put("lastError", le);
        } else {
            m.put("lastError", null);
        }
        return m;
    }

    public static void printJson(List<StreamTableRecord> records, PrintStream out) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (StreamTableRecord r : records) {
            list.add(toJson(r));
        }
        try {
            out.println(JSON.writeValueAsString(list));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void printTable(List<StreamTableRecord> records, PrintStream out, Instant now) {
        String[] head = {"NAME", "TABLE", "MODE", "READY", "REASON", "LAST REFRESH", "RAN AS", "ROWS", "MS", "ERRORS"};
        List<String[]> rows = new ArrayList<>();
        rows.add(head);
        for (StreamTableRecord r : records) {
            rows.add(new String[] {
                    cut(r.namespace().equals("default") ? r.name() : r.namespace() + "/" + r.name()),
                    cut(r.qualifiedTable()), r.effectiveMode(), r.ready() ? "True" : "False", reason(r),
                    r.lastRefreshAt() == null ? "<never>" : ago(Duration.between(r.lastRefreshAt(), now)),
                    r.lastRefreshMode() == null ? "" : isLoad(r) ? "LOAD" : r.lastRefreshMode(),
                    r.lastRefreshRows() == null ? "" : r.lastRefreshRows().toString(),
                    r.lastRefreshMs() == null ? "" : String.format("%.1f", r.lastRefreshMs()),
                    Integer.toString(r.consecutiveErrors())});
        }
        int[] w = new int[head.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                b.append(String.format("%-" + (w[i] + 3) + "s", row[i]));
            }
            out.println(b.toString().stripTrailing());
        }
        for (StreamTableRecord r : records) {
            if (r.lastRefreshReason() != null && !isLoad(r)) {
                out.println(r.name() + ": last refresh ran FULL: " + r.lastRefreshReason());
            }
            if (r.lastError() != null && r.consecutiveErrors() > 0) {
                out.println(r.name() + ": " + r.lastError() + (r.lastErrorHint() == null ? "" : " (hint: "
                        + r.lastErrorHint() + ")"));
            }
        }
    }

    /** Longest name or table shown in a column: a 300-character name does not widen every row. */
    static final int MAX_WIDTH = 40;

    private static String cut(String s) {
        return s.length() <= MAX_WIDTH ? s : s.substring(0, MAX_WIDTH - 1) + "…";
    }

    /** Whether the last refresh was the load at apply (shown as LOAD, not as a FULL refresh without a reason). */
    private static boolean isLoad(StreamTableRecord r) {
        return StreamTableService.LOADED_BY_APPLY.equals(r.lastRefreshReason())
                || StreamTableService.RECOMPUTED_BY_APPLY.equals(r.lastRefreshReason());
    }

    static String ago(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s ago";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s ago";
        }
        return (s / 3600) + "h" + (s % 3600 / 60) + "m ago";
    }
}
