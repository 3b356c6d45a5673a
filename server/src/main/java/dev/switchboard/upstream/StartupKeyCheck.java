package dev.switchboard.upstream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether OpenAI takes the gateway's key, asked once at start-up ({@code GET /models}) while the rest starts, so that
 * a wrong {@code OPENAI_API_KEY} is said in the start-up banner rather than found by the first client. It never holds
 * start-up for longer than its timeout: an upstream that does not answer is reported as not checked.
 */
public final class StartupKeyCheck {
    private final CompletableFuture<UpstreamClient.Probe> probe;
    private final Duration timeout;
    /** False for an upstream that needs no key (a local model server): then only whether it answers is checked. */
    private final boolean keySent;

    private StartupKeyCheck(CompletableFuture<UpstreamClient.Probe> probe, Duration timeout, boolean keySent) {
        this.probe = probe;
        this.timeout = timeout;
        this.keySent = keySent;
    }

    /** Starts the check on a virtual thread of its own. */
    public static StartupKeyCheck start(UpstreamClient upstream, Duration timeout) {
        CompletableFuture<UpstreamClient.Probe> probe = new CompletableFuture<>();
        Thread.ofVirtual().name("upstream-key-check").start(() -> {
            try {
                probe.complete(upstream.probe(timeout));
            } catch (RuntimeException e) {
                probe.completeExceptionally(e);
            }
        });
        return new StartupKeyCheck(probe, timeout, !upstream.apiKey().reveal().isEmpty());
    }

    /**
     * What the banner says of the upstream, waiting for the check at most its timeout: a short note after the URL
     * when the key was accepted or could not be checked, or warning lines when it was refused.
     */
    public List<String> describe(String upstream) {
        UpstreamClient.Probe answer;
        try {
            answer = probe.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return List.of("  upstream: " + upstream + " (the key is not checked yet: no answer within " + timeout.toSeconds() + " s)");
        } catch (ExecutionException e) {
            return List.of("  upstream: " + upstream + " (the key could not be checked: " + e.getCause().getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("  upstream: " + upstream);
        }
        if (refused(answer)) {
            return List.of("  upstream: " + upstream,
                    "  WARNING: OpenAI REFUSED THE GATEWAY'S OPENAI_API_KEY (HTTP " + answer.status() + ").",
                    "  WARNING: every request relayed to OpenAI will fail with 502 upstream_key_rejected until you set a valid",
                    "  WARNING: OPENAI_API_KEY and restart. './switchboard doctor' checks the key.");
        }
        if (!answer.reachable()) {
            return List.of("  upstream: " + upstream + " (not reachable now: " + answer.body() + "; each request tries again)");
        }
        if (answer.keyAccepted()) return List.of("  upstream: " + upstream + (keySent ? " (the key is accepted)" : " (answers; no key sent)"));
        return List.of("  upstream: " + upstream + " (GET /models answered HTTP " + answer.status() + "; the key is not checked)");
    }

    private static boolean refused(UpstreamClient.Probe answer) {
        return answer.reachable() && answer.status() == 401;
    }
}
