package dev.switchboard.emulator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many times a scripted failure happens. A model name with {@code fail=503;fail_times=2} fails its first two
 * requests and then answers: what a client's or a gateway's retries need to be tested. Without {@code fail_times}
 * a scripted failure happens every time. Counted per model name as sent.
 */
public final class FailureCount {
    private static final Pattern TIMES = Pattern.compile(";fail_times=(\\d+)");

    private final Map<String, AtomicInteger> failed = new ConcurrentHashMap<>();

    /** Whether this request, to {@code model}, fails as scripted. */
    public boolean fails(String model) {
        Matcher times = model == null ? null : TIMES.matcher(model);
        if (times == null || !times.find()) return true;
        return failed.computeIfAbsent(model, m -> new AtomicInteger()).getAndIncrement() < Integer.parseInt(times.group(1));
    }

    void clear() {
        failed.clear();
    }
}
