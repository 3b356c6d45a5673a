package dev.switchboard.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The key cache keeps a key no longer than its own end, and a read that a revocation overtook is not kept. */
class KeyCacheTest {
    private final KeyCache cache = new KeyCache(Duration.ofMinutes(1));

    @Test
    void aKeyIsRememberedUntilItsOwnEndNotForTheWholeTimeToLive() {
        Caller ended = new Caller("key_ended", "n", "o", false, null, Instant.now().minusMillis(1));
        Caller open = new Caller("key_open", "n", "o", false, null, null);
        cache.remember(cache.generation(), "h1", ended);
        cache.remember(cache.generation(), "h2", open);
        assertThat(cache.byHash("h1")).isEmpty();
        assertThat(cache.byId("key_ended")).isEmpty();
        assertThat(cache.byHash("h2")).contains(open);
        assertThat(cache.byId("key_open")).contains(open);
        // Nor during an outage's grace.
        assertThat(cache.byId("key_ended", Duration.ofMinutes(15))).isEmpty();
    }

    @Test
    void aReadOvertakenByARevocationIsNotKept() {
        Caller caller = new Caller("key_x", "n", "o", false);
        long before = cache.generation();
        cache.clear();
        cache.remember(before, "h", caller);
        assertThat(cache.byHash("h")).isEmpty();
        assertThat(cache.byId("key_x")).isEmpty();

        long again = cache.generation();
        cache.forget("key_other");
        cache.remember(again, "h", caller);
        assertThat(cache.byHash("h")).isEmpty();

        cache.remember(cache.generation(), "h", caller);
        assertThat(cache.byHash("h")).contains(caller);
        cache.forget("key_x");
        assertThat(cache.byHash("h")).isEmpty();
        assertThat(cache.byId("key_x")).isEmpty();
    }
}
