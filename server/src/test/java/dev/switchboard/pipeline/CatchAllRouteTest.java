package dev.switchboard.pipeline;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.TestGateway;
import dev.switchboard.auth.StreamTokens;
import dev.switchboard.config.ServerSettings;
import dev.switchboard.limits.Limits;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.ownership.OwnedObjects;
import dev.switchboard.ownership.OwnershipGuard;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.HttpServer;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestBodies;
import io.javalin.config.RoutesConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catch-all route over every method and path (how whole-API forwarding is declared) goes through the same
 * admission as a route of its own: the key, an endpoint name with the path's ids replaced, the body's model, an
 * ownership rule of its own, and one exchange per request.
 */
class CatchAllRouteTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<Exchange> FINISHED = new CopyOnWriteArrayList<>();

    private static TestGateway gw;
    private static HttpServer server;
    private static Admission admission;

    @BeforeAll
    static void start(@TempDir Path data) {
        gw = TestGateway.start();
        var jdbi = gw.gateway.database().jdbi();
        var bodies = new RequestBodies(1 << 20);
        ExchangeListener recorded = new ExchangeListener() {
            @Override
            public void finished(Exchange exchange) {
                FINISHED.add(exchange);
            }
        };
        admission = new Admission(gw.gateway.keys(), new StreamTokens(jdbi, gw.gateway.keys()),
                new Limits(jdbi, (key, since) -> 0, Optional.empty()), new OwnershipGuard(new OwnedObjects(jdbi), bodies),
                recorded);
        ApiRoute forwarded = ApiRoute.key()
                .endpointFrom(ctx -> ctx.path().replaceAll("/(file|batch|vs)[-_][A-Za-z0-9]+", "/{id}"))
                .modelIn(bodies, "model")
                .readsWith((ctx, owner) -> {
                    if (ctx.path().contains("file-others")) throw GatewayException.notFoundAsOpenAi("No such File object: file-others");
                });
        List<Consumer<RoutesConfig>> routes = List.of(admission::guardUndeclared,
                r -> admission.routes(r).anyMethod("/v1/*", forwarded, ctx -> {
                    Admitted admitted = Admitted.of(ctx);
                    Exchange exchange = admitted.exchange();
                    exchange.answered(200, "req_upstream");
                    exchange.finish("completed", null);
                    ctx.json(Json.object().put("endpoint", admitted.endpoint()).put("model", admitted.model())
                            .put("owner", admitted.owner()));
                }));
        server = HttpServer.start(new ServerSettings("127.0.0.1", 0, data, 1 << 20,
                ServerSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES, Optional.empty(), ServerSettings.Cors.NONE), routes);
    }

    @AfterAll
    static void stop() {
        server.close();
        gw.close();
    }

    @Test
    void everyMethodOfEveryPathIsAdmittedAndRecordedUnderItsName() throws Exception {
        var answer = send("POST", "/v1/files/file-abc123/content", "{\"model\":\"gpt-4o-mini\"}", gw.clientKey);
        assertThat(answer.statusCode()).isEqualTo(200);
        var body = Json.MAPPER.readTree(answer.body());
        assertThat(body.path("endpoint").asText()).isEqualTo("/v1/files/{id}/content");
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(send("DELETE", "/v1/vector_stores/vs_abc", null, gw.clientKey).statusCode()).isEqualTo(200);
        assertThat(FINISHED).extracting(Exchange::endpoint).contains("/v1/files/{id}/content", "/v1/vector_stores/{id}");
        assertThat(admission.declared()).contains("GET /v1/*", "POST /v1/*", "PUT /v1/*", "PATCH /v1/*", "DELETE /v1/*");
    }

    @Test
    void theCatchAllRefusesAsEveryRouteDoes() throws Exception {
        assertError(send("GET", "/v1/files", null, null), 401, "missing_api_key");
        assertError(send("GET", "/v1/files", null, "sb-not-a-key-0000000000000000000000"), 401, "invalid_api_key");
        assertThat(send("GET", "/v1/files/file-others", null, gw.clientKey).statusCode()).isEqualTo(404);
    }

    private static HttpResponse<String> send(String method, String path, String json, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) request.header("Content-Type", "application/json");
        if (key != null) request.header("Authorization", "Bearer " + key);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
