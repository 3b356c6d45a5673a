package dev.switchboard;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server process of one test's own, on a free port, which the test may stop and start again (empty, as a
 * restarted Redis without persistence is) without disturbing other tests.
 */
public final class OwnRedis implements AutoCloseable {
    public final int port;
    private Process process;

    private OwnRedis(int port) throws Exception {
        this.port = port;
        this.process = launch(port);
    }

    public static OwnRedis start() throws Exception {
        // A port found free may be taken by another process before redis-server binds it: then try another.
        for (int attempt = 1; ; attempt++) {
            try (ServerSocket free = new ServerSocket(0)) {
                free.close();
                return new OwnRedis(free.getLocalPort());
            } catch (AssertionError portTaken) {
                if (attempt == 3) throw portTaken;
            }
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server outright, as a crash would. */
    public void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts it again on the same port, empty. */
    public void startAgain() throws Exception {
        process = launch(port);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static Process launch(int port) throws Exception {
        Process redis = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!redis.isAlive()) break;
            try (Socket probe = new Socket("127.0.0.1", port)) {
                probe.getOutputStream().write("PING\r\n".getBytes());
                byte[] answer = new byte[5];
                if (probe.getInputStream().readNBytes(answer, 0, 5) == 5 && new String(answer).equals("+PONG") && redis.isAlive()) {
                    return redis;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        redis.destroyForcibly();
        throw new AssertionError("redis-server did not start on port " + port);
    }
}
