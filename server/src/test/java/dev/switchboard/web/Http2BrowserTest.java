package dev.switchboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.HeadlessChromium;
import dev.switchboard.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a browser page follows more event streams at once than HTTP/1.1's six connections per origin allow,
 * because it reaches a gateway serving HTTPS over HTTP/2; and the same page still opens the Realtime WebSocket.
 */
class Http2BrowserTest {
    private static final int STREAMS = 20;

    @TempDir
    static Path certificates;
    static TestGateway gw;
    static HeadlessChromium browser;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = new HashMap<>(SelfSignedKeystore.create(certificates).env());
        env.put("OPENAI_REALTIME_ENABLED", "true");
        gw = TestGateway.start(env);
        browser = HeadlessChromium.acceptingSelfSignedCertificates();
        browser.driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
        browser.driver.get("https://127.0.0.1:" + gw.gateway.port() + "/healthz");
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (gw != null) gw.close();
    }

    @Test
    void onePageFollowsTwentyStreamsAtOnceOverHttp2() throws Exception {
        // Slow enough that every stream is still going when the last one starts, if they can all start.
        gw.emulator.script("h2-page-chat", "{\"tokens\":20,\"delay_ms\":150}");
        Object result = browser.driver.executeAsyncScript("""
                const [key, count, done] = arguments;
                const happened = [];
                async function follow() {
                  const response = await fetch('/v1/chat/completions', {method: 'POST',
                    headers: {'Authorization': 'Bearer ' + key, 'Content-Type': 'application/json'},
                    body: JSON.stringify({model: 'h2-page-chat', stream: true, messages: [{role: 'user', content: 'x'}]})});
                  const reader = response.body.getReader();
                  const decoder = new TextDecoder();
                  let text = '', started = false;
                  for (;;) {
                    const {value, done} = await reader.read();
                    if (done) break;
                    text += decoder.decode(value, {stream: true});
                    if (!started && text.includes('data:')) { started = true; happened.push('first event'); }
                  }
                  happened.push(text.endsWith('data: [DONE]\\n\\n') ? 'end' : 'broken: ' + response.status + ' ' + text);
                }
                Promise.all(Array.from({length: count}, follow)).then(() => done(JSON.stringify({happened,
                    streams: performance.getEntriesByType('resource').filter(e => e.name.endsWith('/v1/chat/completions'))
                        .map(e => e.nextHopProtocol),
                    page: performance.getEntriesByType('navigation')[0].nextHopProtocol})),
                  e => done(JSON.stringify({error: String(e)})));
                """, gw.clientKey, STREAMS);
        JsonNode page = Json.MAPPER.readTree((String) result);

        assertThat(page.path("error").isMissingNode()).as(page.toString()).isTrue();
        List<String> happened = Json.MAPPER.convertValue(page.path("happened"), List.class);
        // Every stream had its first event before any stream ended: all twenty were open at once. Over HTTP/1.1 the
        // seventh would wait for one of the first six to end.
        assertThat(happened.subList(0, STREAMS)).as(String.join(", ", happened))
                .isEqualTo(Collections.nCopies(STREAMS, "first event"));
        assertThat(happened.subList(STREAMS, happened.size())).isEqualTo(Collections.nCopies(STREAMS, "end"));
        assertThat(page.path("page").asText()).isEqualTo("h2");
        assertThat(page.path("streams")).hasSize(STREAMS).allSatisfy(protocol -> assertThat(protocol.asText()).isEqualTo("h2"));
    }

    @Test
    void aPageOverHttp2StillOpensTheRealtimeWebSocket() throws Exception {
        Object result = browser.driver.executeAsyncScript("""
                const [key, done] = arguments;
                fetch('/api/realtime/tokens', {method: 'POST', headers: {'Authorization': 'Bearer ' + key}})
                  .then(r => r.json())
                  .then(minted => {
                    const socket = new WebSocket('wss://' + location.host + '/v1/realtime?model=gpt-realtime',
                        ['realtime', 'openai-insecure-api-key.' + minted.token]);
                    socket.onmessage = event => { socket.close(); done(JSON.parse(event.data).type); };
                    socket.onerror = () => done('error');
                  }, e => done(String(e)));
                """, gw.clientKey);
        assertThat(result).isEqualTo("session.created");
    }
}
