package dev.switchboard.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Redis client for what the gateway keeps in Redis (the shared stream log, the limit counters). While Redis is
 * away, commands fail at once instead of queueing, so no stream or request waits for it; and the client reconnects
 * within a second of Redis coming back (exponential from 50 ms, at most 1 s apart), so that what instances keep
 * there (stream logs, stream slots, leases) is put back well within the time others allow for it.
 */
public final class FailFastRedis implements AutoCloseable {
    private final ClientResources resources;
    private final RedisClient client;

    public FailFastRedis(String url) {
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, url);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    }

    public RedisClient client() {
        return client;
    }

    @Override
    public void close() {
        client.shutdown();
        resources.shutdown();
    }
}
