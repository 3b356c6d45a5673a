package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The start-up lines an operator reads: a later start, with its admin key made long ago, still says how to get keys. */
class StartupBannerTest {
    @Test
    void aStartWithKeysAlreadyMadeSaysHowToListAndMakeThem() {
        // The shared database holds an admin key once any gateway has started on it (a test gateway makes one).
        try (TestGateway first = TestGateway.start()) {
            assertThat(first.adminKey).startsWith("sb-");
        }
        try (TestGateway gw = TestGateway.start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            gw.gateway.announce(new PrintStream(out, true, StandardCharsets.UTF_8), "127.0.0.1", "http");
            String banner = out.toString(StandardCharsets.UTF_8);
            assertThat(banner).contains("listening on http://localhost:" + gw.gateway.port(),
                    "./switchboard keys list", "./switchboard keys create --name my-app [--admin]");
            // No key is shown again: only the start that made the admin key prints it.
            assertThat(banner).doesNotContain("shown once", "sb-");
        }
    }
}
