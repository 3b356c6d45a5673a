package dev.switchboard.documents;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.web.Json;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Uploaded documents, their signed URLs, and document.vision_ocr called by an agent in the middle of a stream. */
class DocumentOcrTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void anAgentReadsAnUploadedDocumentThroughItsSignedUrl() throws Exception {
        JsonNode uploaded = upload(pngWithText("Invoice 42: total 19.99 EUR"), "image/png");
        String url = gw.url(uploaded.path("url").asText());
        gw.emulator.script("ocr-agent", Json.write(Json.object().set("tool_calls", Json.MAPPER.createArrayNode().add(
                Json.object().put("name", "document__vision_ocr").set("arguments", Json.object().put("url", url))))));
        String session = Json.MAPPER.readTree(gw.send(gw.post("/api/agent/sessions",
                "{\"model\":\"ocr-agent\",\"tools\":[\"document.vision_ocr\"]}")).body()).path("id").asText();
        List<SseFrame> frames = SseFrames.parse(gw.send(gw.post("/api/agent/stream",
                "{\"session_id\":\"" + session + "\",\"input\":\"What is the total?\"}")).body());
        JsonNode result = SseFrames.json(frames.stream().filter(f -> "tool-result".equals(f.event())).findFirst().orElseThrow());
        assertThat(result.path("output").asText()).isEqualTo("Invoice 42: total 19.99 EUR");
        StringBuilder text = new StringBuilder();
        frames.stream().filter(f -> "text-delta".equals(f.event())).forEach(f -> text.append(SseFrames.json(f).path("delta").asText()));
        assertThat(text).hasToString("The tool returned: Invoice 42: total 19.99 EUR");

        // The vision request went upstream as input_image, with the document as a data URL.
        var vision = gw.emulator.requests().stream().filter(r -> r.body().contains("input_image")).reduce((a, b) -> b).orElseThrow();
        assertThat(vision.body()).contains("data:image/png;base64,");
    }

    @Test
    void pdfPagesAreRenderedToImagesForTheVisionModel() throws Exception {
        byte[] pdf;
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            document.addPage(new PDPage());
            document.addPage(new PDPage());
            document.save(out);
            pdf = out.toByteArray();
        }
        JsonNode uploaded = upload(pdf, "application/pdf");
        assertThat(uploaded.path("media_type").asText()).isEqualTo("application/pdf");
        String text = gw.gateway.agentTools().find("document.vision_ocr").orElseThrow().call(
                new dev.switchboard.agent.AgentTool.ToolContext(new dev.switchboard.auth.Caller("key_t", "t", "o", false), "run_t"),
                Json.object().put("url", uploaded.path("url").asText()));
        // Two pages, each a PNG the emulator describes.
        assertThat(text.lines().toList()).hasSize(2).allMatch(line -> line.startsWith("No readable text: a image/png image of"));
    }

    @Test
    void signedUrlsServeWithoutAKeyUntilTamperedOrExpired() throws Exception {
        byte[] png = pngWithText("hello");
        JsonNode uploaded = upload(png, "image/png");
        String path = uploaded.path("url").asText();
        HttpResponse<byte[]> served = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.url(path))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.body()).isEqualTo(png);
        assertThat(served.headers().firstValue("Content-Type")).hasValue("image/png");

        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url(path.replace("signature=", "signature=x"))))), 403, "bad_signature");
        String id = uploaded.path("id").asText();
        String keyId = path.replaceAll(".*[?&]key=([^&]+).*", "$1");
        String expired = new SignedUrls(gw.gateway.database().jdbi(), gw.gateway.keys()).sign(id, keyId, System.currentTimeMillis() / 1000 - 10);
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url(expired)))), 410, "expired");
    }

    @Test
    void onlyDocumentTypesAreUploaded() {
        assertError(gw.send(gw.post("/api/documents", "just some text").setHeader("Content-Type", "text/plain")), 415,
                "unsupported_document");
    }

    private static JsonNode upload(byte[] bytes, String contentType) throws Exception {
        HttpResponse<String> response = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/documents")))
                .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Json.MAPPER.readTree(response.body());
    }

    static byte[] pngWithText(String text) throws Exception {
        return DocumentOcrTestSupport.pngWithText(text);
    }
}
