package dev.switchboard.web;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.HeadlessChromium;
import dev.switchboard.TestGateway;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The gateway's pages in headless Chromium against the gateway and the emulator: the agent chat, the Realtime
 * console with a fake microphone, and the admin page. Each test leaves a screenshot in docs/screenshots/.
 */
class PagesTest {
    static TestGateway gw;
    @TempDir
    static Path temp;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true", "OPENAI_REALTIME_ENABLED", "true",
                "SWITCHBOARD_DEBUG_EVENTS", "true"));
        gw.emulator.script("agent-page-slow", "{\"text\":\"one two three four five six seven eight\",\"delay_ms\":150}");
        gw.emulator.script("agent-page-endless", "{\"tokens\":400,\"delay_ms\":50}");
        gw.emulator.script("agent-page-tool", "{\"tool_calls\":[{\"name\":\"math__calculate\",\"arguments\":{\"expression\":\"6*7\"}}]}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void theAgentChatStreamsAnAnswerWithItsEventsAndShowsToolCalls() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.silentWav(temp, 1))) {
            browser.signIn(gw.url("/agent-chat"), gw.clientKey);
            createSession(browser, "counting", "agent-page-slow", List.of());
            browser.type("input", "count for me");
            browser.click("send");
            // Seen while it streams: some of the answer, not all of it.
            browser.await("part of the answer", Duration.ofSeconds(10), () -> {
                String text = lastMessage(browser, "assistant");
                return text.startsWith("one two") && !text.endsWith("eight");
            });
            browser.await("the whole answer", Duration.ofSeconds(10), () -> browser.text("run-status").startsWith("Done in"));
            assertThat(lastMessage(browser, "assistant")).isEqualTo("one two three four five six seven eight");
            assertThat(events(browser, "text-delta")).isEqualTo(8);
            assertThat(events(browser, "run-completed")).isEqualTo(1);
            assertThat(events(browser, "done")).isEqualTo(1);
            assertThat(browser.text("ttft")).endsWith(" ms");
            assertThat(Integer.parseInt(browser.text("tokens"))).isPositive();
            // A payload opens on click.
            WebElement firstEvent = browser.driver.findElement(By.cssSelector("#events details[data-type='text-delta'] summary"));
            firstEvent.click();
            assertThat(browser.driver.findElement(By.cssSelector("#events details[open] pre")).getText()).contains("\"delta\"");

            createSession(browser, "reckoner", "agent-page-tool", List.of("math.calculate"));
            Path picture = Files.write(temp.resolve("dot.png"), java.util.Base64.getDecoder().decode(
                    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));
            browser.type("input", "what is six times seven");
            browser.driver.findElement(By.id("image")).sendKeys(picture.toString());
            browser.click("send");
            browser.await("the tool's answer", Duration.ofSeconds(10), () -> browser.text("run-status").startsWith("Done in"));
            List<String> tools = browser.driver.findElements(By.cssSelector("#messages [data-role='tool']")).stream()
                    .map(WebElement::getText).toList();
            assertThat(tools).containsExactly("Tool call: math.calculate({\"expression\":\"6*7\"})", "Tool result: 42");
            assertThat(lastMessage(browser, "assistant")).isEqualTo("The tool returned: 42");
            assertThat(browser.driver.findElements(By.cssSelector("#messages [data-role='user'] img"))).hasSize(1);
            assertThat(gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/responses"))
                    .anyMatch(r -> r.body().contains("data:image/png;base64,iVBOR"))).isTrue();
            browser.screenshot("agent-chat");

            createSession(browser, "endless", "agent-page-endless", List.of());
            browser.type("input", "go on forever");
            browser.click("send");
            browser.await("the answer starting", Duration.ofSeconds(10), () -> events(browser, "text-delta") > 0);
            browser.click("stop");
            browser.await("the run stopped", Duration.ofSeconds(10), () -> browser.text("run-status").equals("Stopped."));
            assertThat(events(browser, "run-cancelled")).isEqualTo(1);
            assertThat(events(browser, "text-delta")).isLessThan(400);
        }
    }

    @Test
    void theAgentChatExplainsWhenStreamingIsOff() throws Exception {
        try (TestGateway off = TestGateway.start();
             HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.silentWav(temp, 1))) {
            browser.signIn(off.url("/agent-chat"), off.clientKey);
            browser.await("the explanation", Duration.ofSeconds(5), () -> browser.driver.findElement(By.id("streaming-off")).isDisplayed());
            assertThat(browser.text("streaming-off")).contains("OPENAI_STREAMING_ENABLED=true");
            assertThat(browser.driver.findElement(By.id("send")).isEnabled()).isFalse();

            // On a phone-sized screen every page fits its width (wide tables scroll inside their own box).
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
            for (String page : List.of("/agent-chat", "/realtime", "/admin")) {
                browser.driver.get(off.url(page));
                if (page.equals("/admin")) {
                    browser.type("signin-key", off.adminKey);
                    browser.click("signin-submit");
                }
                browser.await(page + " shown", Duration.ofSeconds(5), () -> browser.driver.findElement(By.id("app")).isDisplayed()
                        || browser.driver.findElement(By.id("signin")).isDisplayed());
                Object overflow = browser.driver.executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                assertThat(((Number) overflow).intValue()).as(page).isLessThanOrEqualTo(0);
            }
        }
    }

    @Test
    void theRealtimeConsoleTalksWithTheMicrophoneOnAndSendsAScreenshot() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.toneWav(temp, 2))) {
            browser.signIn(gw.url("/realtime"), gw.clientKey);
            // The tone would otherwise be taken as speech: turns are the text box's here.
            browser.click("vad");
            browser.click("connect");
            browser.await("a connected call", Duration.ofSeconds(20), () -> browser.text("state").equals("connected"));
            // The set-up was queued before the channel opened and sent first once it did.
            browser.await("the session set up", Duration.ofSeconds(5), () -> events(browser, "session.updated") == 1);
            assertThat(browser.driver.findElement(By.cssSelector("#events details[data-direction='out']")).getDomAttribute("data-type"))
                    .isEqualTo("session.update");
            browser.click("mic-start");
            browser.await("the level meter moving", Duration.ofSeconds(10), () -> level(browser) > 0.05);

            browser.type("message", "hello console");
            browser.click("send");
            browser.await("the reply", Duration.ofSeconds(10), () -> lastMessage(browser, "assistant").equals("Echo: hello console"));

            browser.click("screenshot");
            browser.await("the screenshot's reply", Duration.ofSeconds(15),
                    () -> lastMessage(browser, "assistant").equals("Echo: What do you see in this screenshot?"));
            assertThat(browser.driver.findElements(By.cssSelector("#transcript [data-role='user'] img"))).hasSize(1);
            String sessionId = browser.driver.findElement(By.tagName("body")).getDomAttribute("data-session-id");
            // OpenAI's side got the picture: the call's sideband saw the item with its image.
            awaitTrue(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery("""
                    select count(*) from openai_debug_events where kind = 'realtime_event'
                    and endpoint = '/v1/realtime upstream conversation.item.done'
                    and payload::text like '%input_image%' and payload::text like '%data:image/png;base64,%'""")
                    .mapTo(Long.class).one()) >= 1);
            browser.screenshot("realtime");

            browser.click("mic-stop");
            browser.await("the meter at rest", Duration.ofSeconds(5), () -> level(browser) == 0);
            browser.click("hangup");
            browser.await("the end of the call", Duration.ofSeconds(10), () -> browser.text("state").startsWith("closed"));
            assertThat(sessionId).startsWith("rtsess_");
        }
    }

    @Test
    void theRealtimeClientModuleIsolatesHandlersAndSaysWhyItCouldNotConnect() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.silentWav(temp, 1))) {
            browser.signIn(gw.url("/realtime"), gw.clientKey);
            Object result = browser.driver.executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    import("/assets/realtime-client.js").then(async ({ createRealtime }) => {
                      const client = createRealtime({ headers: () => ({ Authorization: "Bearer sb-not-a-key" }) });
                      const states = [];
                      client.on("state", () => { throw new Error("a broken handler"); });
                      client.on("state", (change) => states.push(change.state));
                      let error = null;
                      await client.connect().catch((e) => { error = e.message; });
                      done({ states, error, state: client.state });
                    });
                    """);
            Map<?, ?> outcome = (Map<?, ?>) result;
            // The second handler saw every change although the first one threw each time.
            assertThat(outcome.get("states")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                    .containsExactly("connecting", "failed");
            assertThat((String) outcome.get("error")).contains("The API key is not valid");
            assertThat(outcome.get("state")).isEqualTo("failed");
        }
    }

    @Test
    void aDeniedMicrophoneIsSaidToBeDenied() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.denyingPermissions()) {
            browser.signIn(gw.url("/realtime"), gw.clientKey);
            browser.click("connect");
            browser.await("a connected call", Duration.ofSeconds(20), () -> browser.text("state").equals("connected"));
            browser.click("mic-start");
            browser.await("the refusal explained", Duration.ofSeconds(10), () -> browser.text("error").startsWith("Microphone permission denied"));
            browser.click("hangup");
        }
    }

    @Test
    void theAdminPageShowsTheStatusManagesKeysAndCancelsALiveStream() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.silentWav(temp, 1))) {
            // A client key is not an admin key: the page says so and stays signed out.
            browser.driver.get(gw.url("/admin"));
            browser.type("signin-key", gw.clientKey);
            browser.click("signin-submit");
            browser.await("the refusal", Duration.ofSeconds(5), () -> browser.text("signin-error").contains("needs an admin key"));
            assertThat(browser.driver.findElement(By.id("app")).isDisplayed()).isFalse();

            browser.signIn(gw.url("/admin"), gw.adminKey);
            browser.await("the status", Duration.ofSeconds(10), () -> browser.text("status-model").equals("gpt-4o-mini"));
            assertThat(browser.text("status-api")).isEqualTo("REST");
            assertThat(browser.driver.findElement(By.id("status-api")).getDomAttribute("class")).isEqualTo("pill");
            assertThat(browser.text("status-upstream")).isEqualTo("reachable");

            browser.type("key-name", "made-on-the-page");
            browser.click("key-create");
            browser.await("the new key, once", Duration.ofSeconds(5), () -> browser.text("new-key").contains("sb-"));
            browser.click("new-key-done");
            assertThat(browser.text("new-key")).isEmpty();
            onKeyRow(browser, "made-on-the-page", row -> {
                row.findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("Revoke")).findFirst().orElseThrow().click();
                return null;
            });
            browser.await("the confirmation", Duration.ofSeconds(5), () -> {
                try {
                    browser.driver.switchTo().alert().accept();
                    return true;
                } catch (org.openqa.selenium.NoAlertPresentException notYet) {
                    return false;
                }
            });
            browser.await("the key revoked", Duration.ofSeconds(5),
                    () -> onKeyRow(browser, "made-on-the-page", row -> row.findElement(By.className("key-state")).getText()).equals("revoked"));

            // Limits are set from the same table.
            onKeyRow(browser, "test-client", row -> {
                row.findElement(By.tagName("button")).click();
                return null;
            });
            browser.await("the limits form", Duration.ofSeconds(5), () -> browser.text("limits-usage").startsWith("Used:"));
            browser.type("limit-rpm", "ten");
            browser.click("limits-save");
            browser.await("the refusal", Duration.ofSeconds(5), () -> browser.text("limits-status").contains("whole numbers"));
            browser.type("limit-rpm", "600");
            browser.type("limit-models", "gpt-4o-mini, gpt-4o");
            browser.click("limits-save");
            browser.await("the limits saved", Duration.ofSeconds(5), () -> browser.text("limits-status").startsWith("Saved"));
            String clientId = onKeyRow(browser, "test-client", row -> row.getDomAttribute("data-id"));
            var saved = dev.switchboard.web.Json.MAPPER.readTree(gw.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(gw.url("/api/admin/keys/" + clientId + "/limits"))).header("Authorization", "Bearer " + gw.adminKey)).body());
            assertThat(saved.path("requests_per_minute").asInt()).isEqualTo(600);
            assertThat(saved.path("models").toString()).isEqualTo("[\"gpt-4o-mini\",\"gpt-4o\"]");
            browser.click("limits-close");

            CompletableFuture<String> streamEnd = CompletableFuture.supplyAsync(() -> {
                HttpResponse<InputStream> stream = gw.open(gw.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini;tokens=2000;delay_ms=20\","
                        + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"talk\"}]}"));
                try (InputStream body = stream.body()) {
                    return new String(body.readAllBytes());
                } catch (java.io.IOException e) {
                    return "broken: " + e;
                }
            });
            awaitTrue(() -> !gw.gateway.liveStreams().list().isEmpty());
            browser.click("refresh-streams");
            browser.await("the live stream listed", Duration.ofSeconds(5),
                    () -> !browser.driver.findElements(By.cssSelector("#streams tr[data-id] button")).isEmpty());
            browser.screenshot("admin");
            browser.driver.findElement(By.cssSelector("#streams tr[data-id] button")).click();
            assertThat(streamEnd.get(10, java.util.concurrent.TimeUnit.SECONDS)).contains("cancelled");
            browser.await("no live stream", Duration.ofSeconds(5), () -> browser.driver.findElements(By.cssSelector("#streams tr[data-id]")).isEmpty());

            // Evaluation runs (stored by ./switchboard eval) show their pass rate as a bar.
            gw.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.url("/api/admin/eval-runs")))
                    .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
                            {"source":"evals","model":"gpt-4o-mini","judge_model":"gpt-4o-mini","started_at":"2026-11-21T06:00:00Z",
                             "duration_ms":1200,"scenarios":[{"name":"a","passed":true},{"name":"b","passed":false,"failures":["turn 1: nope"]}]}""")));
            browser.driver.navigate().refresh();
            browser.await("the evaluation runs", Duration.ofSeconds(10),
                    () -> !browser.driver.findElements(By.cssSelector("#evals tr .bar-fill")).isEmpty());
            Object width = browser.driver.executeScript("return arguments[0].style.width;",
                    browser.driver.findElement(By.cssSelector("#evals tr .bar-fill")));
            assertThat(width).isEqualTo("50%");
            assertThat(browser.driver.findElement(By.cssSelector("#evals tr")).getText()).contains("1/2");
            browser.driver.findElement(By.cssSelector("#evals tr button")).click();
            browser.await("the run's scenarios", Duration.ofSeconds(5), () -> browser.text("eval-scenarios").contains("turn 1: nope"));
            browser.await("recent requests", Duration.ofSeconds(5), () -> browser.text("requests").contains("/v1/chat/completions"));
            new Select(browser.driver.findElement(By.id("debug-kind"))).selectByValue("upstream_request");
            browser.click("debug-apply");
            browser.await("the filtered debug log", Duration.ofSeconds(5),
                    () -> browser.driver.findElements(By.cssSelector("#debug tr td:nth-child(2)")).stream()
                            .allMatch(cell -> cell.getText().equals("upstream_request")));
        }
    }

    private static void createSession(HeadlessChromium browser, String name, String model, List<String> tools) {
        // The page opens the form itself once its sessions are loaded and there are none: a click before then could
        // close what the page opens in between.
        browser.await("the sessions loaded", Duration.ofSeconds(10), () -> !browser.text("run-status").isBlank()
                || !browser.driver.findElements(By.cssSelector("#session option")).isEmpty());
        if (browser.driver.findElement(By.id("new-session")).getDomAttribute("open") == null) {
            browser.driver.findElement(By.cssSelector("#new-session summary")).click();
        }
        browser.type("new-name", name);
        browser.type("new-model", model);
        for (String tool : tools) browser.driver.findElement(By.cssSelector("input[name=tool][value='" + tool + "']")).click();
        browser.click("create");
        browser.await("the new session selected", Duration.ofSeconds(5),
                () -> new Select(browser.driver.findElement(By.id("session"))).getFirstSelectedOption().getText().startsWith(name + " · "));
    }

    private static String lastMessage(HeadlessChromium browser, String role) {
        List<WebElement> messages = browser.driver.findElements(By.cssSelector("[data-role='" + role + "']"));
        return messages.isEmpty() ? "" : messages.getLast().getText();
    }

    private static long events(HeadlessChromium browser, String type) {
        return browser.driver.findElements(By.cssSelector("#events details[data-type='" + type + "']")).size();
    }

    private static double level(HeadlessChromium browser) {
        return Double.parseDouble(String.valueOf(browser.driver.findElement(By.id("level")).getDomProperty("value")));
    }

    /**
     * Acts on the keys table's row for {@code name}. The page redraws the table when it refreshes, so a row found a
     * moment ago may be gone: it is found again, a few times, rather than read from a stale element.
     */
    private static <T> T onKeyRow(HeadlessChromium browser, String name, java.util.function.Function<WebElement, T> action) {
        for (int attempt = 1; ; attempt++) {
            try {
                WebElement row = browser.driver.findElements(By.cssSelector("#keys tr")).stream()
                        .filter(candidate -> candidate.getText().startsWith(name)).findFirst().orElseThrow();
                return action.apply(row);
            } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
                if (attempt == 5) throw redrawn;
            }
        }
    }
}
