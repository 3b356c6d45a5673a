package dev.switchboard;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** The machine's Redis (this machine kind runs one on 127.0.0.1:6379); override with TEST_REDIS_URL. */
public final class TestRedis {
    public static final String URL = Optional.ofNullable(System.getenv("TEST_REDIS_URL")).orElse("redis://127.0.0.1:6379");

    private TestRedis() {}

    /** Skips the test when Redis is not reachable, except on CI, where it fails. */
    public static String requireReachable() {
        URI uri = URI.create(URL);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379), 1000);
        } catch (Exception e) {
            String message = "Redis at " + URL + " is not reachable (" + e.getMessage() + "). Start it: redis-server "
                    + "--daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no";
            if (System.getenv("CI") != null) throw new AssertionError(message, e);
            Assumptions.abort(message);
        }
        return URL;
    }

    /**
     * A database of the machine's Redis for one test, emptied first: no keys of other tests or earlier runs are in
     * it (such as the unfinished streams of logs other tests closed, which a gateway's sweeper would adopt).
     */
    public static String isolated(int database) {
        URI uri = URI.create(requireReachable());
        String url = uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database;
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().flushdb();
        } finally {
            client.shutdown();
        }
        return url;
    }
}
