package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, items 1 and 2: what a newcomer meets, with the launcher and the gateway run as processes of their own, as
 * a person (or a supervisor) runs them: a build that shows its progress, start-up failures said in a sentence with an
 * exit code at once, arguments checked, and commands that find the running gateway's data.
 */
class LauncherProcessTest {
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    record Run(int exit, String output) {}

    @Test
    void theBuildShowsEachModuleAndItsErrorsInFull() throws Exception {
        Path install = Files.createDirectories(temp.resolve("install"));
        Files.copy(Path.of(System.getProperty("user.dir")).getParent().resolve("switchboard"), install.resolve("switchboard"));
        // Maven as it answers: every line without -q, only its errors with it.
        Path mvnw = install.resolve("mvnw");
        Files.writeString(mvnw, """
                #!/usr/bin/env bash
                if [ -n "${NO_MAVEN:-}" ]; then echo "Cannot download apache-maven-3.9.11-bin.zip: no route to host"; exit 1; fi
                quiet=""; for a in "$@"; do [ "$a" = "-q" ] && quiet=1; done
                say() { [ -n "$quiet" ] || echo "$1"; }
                say "[INFO] Scanning for projects..."
                say "[INFO] Building Switchboard 0.1.0-SNAPSHOT                                [1/3]"
                say "[INFO] Downloading from central: https://repo.maven.apache.org/maven2/a/b/1/b-1.pom"
                say "[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/a/b/1/b-1.pom (2 kB at 9 kB/s)"
                say "[INFO] Building Switchboard OpenAI emulator 0.1.0-SNAPSHOT                [2/3]"
                say "[INFO] --- resources:3.3.1:resources (default-resources) @ switchboard-emulator ---"
                say "[INFO] Compiling 41 source files with javac [debug release 21] to target/classes"
                say "[INFO] Building Switchboard gateway 0.1.0-SNAPSHOT                        [3/3]"
                if [ -n "${FAIL_BUILD:-}" ]; then
                  echo "[ERROR] /src/server/src/main/java/dev/switchboard/Main.java:[12,8] cannot find symbol"
                  echo "  symbol:   class Gatway"
                  echo "[ERROR] Failed to execute goal compiler:3.13.0:compile on project switchboard-server"
                  say "[INFO] BUILD FAILURE"
                  exit 1
                fi
                say "[INFO] BUILD SUCCESS"
                say "[INFO] Total time:  58.210 s"
                """);
        Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));

        Run built = run(new ProcessBuilder("bash", "switchboard", "build").directory(install.toFile()), Map.of());
        assertThat(built.exit()).as(built.output()).isZero();
        assertThat(built.output()).contains("Building Switchboard", "[1/3]  Switchboard 0.1.0-SNAPSHOT",
                "[2/3]  Switchboard OpenAI emulator 0.1.0-SNAPSHOT", "[3/3]  Switchboard gateway 0.1.0-SNAPSHOT",
                "Compiling 41 source files", "downloading", "BUILD SUCCESS")
                .doesNotContain("Downloaded from central", "resources:3.3.1", "Scanning for projects");
        assertThat(Files.readString(install.resolve("target/build.log"))).contains("Downloaded from central");

        Run failed = run(new ProcessBuilder("bash", "switchboard", "build").directory(install.toFile()), Map.of("FAIL_BUILD", "1"));
        assertThat(failed.exit()).isNotZero();
        assertThat(failed.output()).contains("[3/3]  Switchboard gateway",
                "[ERROR] /src/server/src/main/java/dev/switchboard/Main.java:[12,8] cannot find symbol",
                "  symbol:   class Gatway", "[ERROR] Failed to execute goal compiler:3.13.0:compile on project switchboard-server",
                "The build failed", install.resolve("target/build.log").toString());
        // Before Maven runs, the wrapper's own failure has no [ERROR] lines: it is shown as it is.
        Run noMaven = run(new ProcessBuilder("bash", "switchboard", "build").directory(install.toFile()), Map.of("NO_MAVEN", "1"));
        assertThat(noMaven.exit()).isNotZero();
        assertThat(noMaven.output()).contains("Cannot download apache-maven-3.9.11-bin.zip: no route to host", "The build failed");
    }

    @Test
    void aTakenPortIsNamedWithHowToChooseAnotherAndTheProcessExitsAtOnce() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Run run = run(gateway(Map.of("DATABASE_URL", TestDatabase.sharedUrl(), "SWITCHBOARD_PORT", String.valueOf(port))),
                    Map.of());
            assertThat(run.exit()).as(run.output()).isEqualTo(1);
            assertThat(run.output()).contains("Port " + port + " on 127.0.0.1 is already in use",
                    "./switchboard --port " + (port + 1), "SWITCHBOARD_PORT=" + (port + 1));
            assertNoStackTrace(run);
        }
    }

    @Test
    void aDataDirectoryInUseAnUnreachableDatabaseAndABadSettingAreSaidAndTheProcessExits() throws Exception {
        Path data = temp.resolve("data");
        Files.createDirectories(data.resolve("postgres"));
        // As another gateway leaves it while it starts: its lock held, its database being made.
        try (FileChannel channel = FileChannel.open(data.resolve("postgres/epg-lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
            Run run = run(gateway(Map.of("SWITCHBOARD_DATA_DIR", data.toString(), "SWITCHBOARD_PORT", "0")), Map.of());
            assertThat(run.exit()).as(run.output()).isEqualTo(1);
            assertThat(run.output()).contains("The embedded PostgreSQL in " + data.resolve("postgres") + " could not start",
                    "Another Switchboard may be using this data directory", "SWITCHBOARD_DATA_DIR=");
            assertNoStackTrace(run);
        }
        Run unreachable = run(gateway(Map.of("DATABASE_URL", "postgres://app:s3cret-pw@127.0.0.1:1/switchboard",
                "SWITCHBOARD_PORT", "0")), Map.of());
        assertThat(unreachable.exit()).as(unreachable.output()).isEqualTo(1);
        assertThat(unreachable.output()).contains("Cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/switchboard",
                "Check DATABASE_URL").doesNotContain("s3cret-pw");
        assertNoStackTrace(unreachable);
        Run bad = run(gateway(Map.of("DATABASE_URL", TestDatabase.sharedUrl(), "SWITCHBOARD_PORT", "eighty")), Map.of());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.output()).contains("SWITCHBOARD_PORT=eighty is not valid");
        assertNoStackTrace(bad);
    }

    @Test
    void serveRefusesWhatItDoesNotKnowAndTakesAPort() throws Exception {
        Map<String, String> env = Map.of("DATABASE_URL", TestDatabase.sharedUrl(), "SWITCHBOARD_PORT", "0");
        Run unknown = run(gateway(env, "serve", "--verbose"), Map.of());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.output()).contains("Unknown option '--verbose' for serve.", "Usage: ./switchboard", "serve [--port PORT]");
        Run noValue = run(gateway(env, "--port"), Map.of());
        assertThat(noValue.exit()).isEqualTo(2);
        assertThat(noValue.output()).contains("--port needs a port number");
        Run doctor = run(gateway(env, "doctor", "--fix"), Map.of());
        assertThat(doctor.exit()).isEqualTo(2);
        assertThat(doctor.output()).contains("'doctor' takes no arguments");

        int port = freePort();
        Process serving = gateway(env, "serve", "--port", String.valueOf(port)).start();
        try {
            Output output = Output.of(serving);
            assertThat(output.awaitLine("listening on", serving)).contains("listening on http://localhost:" + port);
            HttpResponse<Void> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            stop(serving);
        }
    }

    @Test
    void commandsFindTheRunningGatewaysDataFromAnyDirectoryAndNeverMakeAnEmptyOne() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        Path data = temp.resolve("gateway-data");
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Map<String, String> gatewayEnv = Map.of("SWITCHBOARD_DATA_DIR", data.toString(), "SWITCHBOARD_PORT", "0");
        Process serving = gateway(gatewayEnv).directory(Files.createDirectories(temp.resolve("started-here")).toFile()).start();
        try {
            Output output = Output.of(serving);
            String banner = output.awaitLine("listening on", serving);
            assertThat(banner).contains("listening on");
            int port = Integer.parseInt(banner.replaceAll(".*:([0-9]+)$", "$1"));

            // From another directory, not told where the data is: the running gateway's is used, and said so.
            ProcessBuilder list = command(home, Map.of(), "keys", "list").directory(elsewhere.toFile());
            Run listed = run(list, Map.of());
            assertThat(listed.exit()).as(listed.output()).isZero();
            assertThat(listed.output()).contains("Using the data directory of the gateway running on port " + port,
                    data.toString(), "admin").doesNotContain("No keys yet");
            Run doctor = run(command(home, Map.of(), "doctor").directory(elsewhere.toFile()), Map.of());
            assertThat(doctor.output()).contains("Using the data directory of the gateway", "embedded PostgreSQL in " + data, "migrated");
            Run cert = run(command(home, Map.of(), "dev-cert").directory(elsewhere.toFile()), Map.of());
            assertThat(cert.exit()).as(cert.output()).isZero();
            assertThat(data.resolve("tls/dev.p12")).exists();
            assertThat(elsewhere.resolve("data")).doesNotExist();
        } finally {
            stop(serving);
        }

        // No gateway known and no database here: refused, with how to point the command at the gateway's.
        Path emptyHome = Files.createDirectories(temp.resolve("empty-home"));
        Run refused = run(command(emptyHome, Map.of(), "keys", "list").directory(elsewhere.toFile()), Map.of());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).contains("No Switchboard database in " + elsewhere.resolve("data"),
                "Start the gateway first", "SWITCHBOARD_DATA_DIR=/path/to/its/data ./switchboard keys list");
        Run doctor = run(command(emptyHome, Map.of(), "doctor").directory(elsewhere.toFile()), Map.of());
        assertThat(doctor.output()).contains("database: none yet in " + elsewhere.resolve("data"));
        assertThat(elsewhere.resolve("data")).doesNotExist();
        // Told where it is, the command uses that.
        Run told = run(command(emptyHome, Map.of("SWITCHBOARD_DATA_DIR", data.toString()), "keys", "list")
                .directory(elsewhere.toFile()), Map.of());
        assertThat(told.output()).contains("admin");
    }

    /** The gateway's entry point in a JVM of its own, with a clean environment and a home of the test's. */
    private ProcessBuilder gateway(Map<String, String> env, String... args) throws IOException {
        return command(Files.createDirectories(temp.resolve("home")), env, args);
    }

    private static ProcessBuilder command(Path home, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), "dev.switchboard.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("SWITCHBOARD_") || name.startsWith("OPENAI_")
                || name.equals("DATABASE_URL") || name.equals("REDIS_URL"));
        builder.environment().putAll(env);
        return builder;
    }

    /** Runs to the end; a process that does not exit within {@link #EXIT_WITHIN} fails the test (and is killed). */
    private static Run run(ProcessBuilder builder, Map<String, String> extraEnv) throws Exception {
        builder.environment().putAll(extraEnv);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        Output output = Output.of(process);
        boolean exited = process.waitFor(EXIT_WITHIN.toSeconds(), TimeUnit.SECONDS);
        if (!exited) stop(process);
        assertThat(exited).as("the process exits by itself within " + EXIT_WITHIN.toSeconds() + " s; its output:\n" + output.text())
                .isTrue();
        return new Run(process.exitValue(), output.awaitEnd());
    }

    private static void assertNoStackTrace(Run run) {
        assertThat(run.output()).doesNotContain("\tat ", "Exception", "Caused by");
    }

    /** Stops as a supervisor does (SIGTERM), so the gateway stops its embedded PostgreSQL. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A process's output, read as it comes on a thread of its own. */
    private static final class Output {
        private final StringBuffer text = new StringBuffer();
        private final Thread reader;

        private Output(InputStream in) {
            reader = Thread.ofVirtual().start(() -> {
                try (in) {
                    byte[] buffer = new byte[4096];
                    for (int n; (n = in.read(buffer)) >= 0; ) text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                } catch (IOException ended) {
                    // the process is gone
                }
            });
        }

        static Output of(Process process) {
            return new Output(process.getInputStream());
        }

        String text() {
            return text.toString();
        }

        String awaitEnd() throws InterruptedException {
            reader.join(Duration.ofSeconds(10));
            return text();
        }

        /** The first line containing {@code marker}, waiting for it while the process lives (at most two minutes). */
        String awaitLine(String marker, Process process) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                for (String line : text().split("\n")) if (line.contains(marker)) return line.strip();
                if (!process.isAlive()) break;
                Thread.sleep(100);
            }
            throw new AssertionError("no line with '" + marker + "'; the output:\n" + text());
        }
    }
}
