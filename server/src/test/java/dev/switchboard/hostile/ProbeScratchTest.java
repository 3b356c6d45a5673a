package dev.switchboard.hostile;

import dev.switchboard.TestGateway;
import java.io.*;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProbeScratchTest {
    static String raw(TestGateway gw, String req) throws Exception {
        int port = URI.create(gw.url("/")).getPort();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10000);
            s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try { s.getInputStream().transferTo(out); } catch (IOException e) { out.write(("<<" + e + ">>").getBytes()); }
            String r = out.toString(StandardCharsets.ISO_8859_1);
            return r.length() > 600 ? r.substring(0, 600) : r;
        }
    }

    @Test
    void probe() throws Exception {
        try (TestGateway gw = TestGateway.start()) {
            var created = dev.switchboard.web.Json.MAPPER.readTree(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys")))
                    .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"lim\"}"))).body());
            String key = created.path("key").asText();
            System.out.println(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys/" + created.path("id").asText() + "/limits")))
                    .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"endpoints\":[\"/v1/chat/completions\",\"/v1/realtime\"]}"))).body());
            String kid = created.path("id").asText();
            gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys/" + kid + "/limits")))
                    .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"concurrent_streams\":1}")));
            String[] more = {
                "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\nOpenAI-Beta: a\u00ffb\r\nConnection: close\r\n\r\n",
                "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\nIdempotency-Key: a\u0001b\r\nConnection: close\r\n\r\n",
                "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\nOpenAI-Beta: a\tb\r\nConnection: close\r\n\r\n",
                "GET /v1/files/file-abc/content HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\u00ff\r\nConnection: close\r\n\r\n",
                "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer  \r\nX-API-Key: " + key + "\r\nConnection: close\r\n\r\n",
            };
            for (String m : more) {
                String resp = raw(gw, m);
                System.out.println("=== " + m.lines().skip(2).findFirst().get() + "\n" + resp.replace("\r\n", " / "));
            }
            for (var r : gw.emulator.requests()) System.out.println("UPSTREAM " + r.method() + " " + r.path() + " H " + r.headers());
        }
    }
}
