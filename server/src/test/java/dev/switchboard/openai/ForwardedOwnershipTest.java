package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.StandInOpenAi;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Objects created through the forwarding path belong to the owner whose key created them: a file uploaded as a form
 * is the uploader's, another owner naming it in a path or a form field gets OpenAI's answer for an unknown file
 * without the request reaching OpenAI, and a list of files shows each owner only theirs. The upstream is
 * {@link StandInOpenAi}, a stand-in for OpenAI's Files API until the emulator has one.
 */
class ForwardedOwnershipTest {
    static StandInOpenAi openAi;
    static TestGateway gw;
    static String alice;
    static String bob;

    static final String FILES = "{\"object\":\"list\",\"data\":[{\"id\":\"file-alice1\",\"object\":\"file\","
            + "\"created_at\":1},{\"id\":\"file-other9\",\"object\":\"file\",\"created_at\":2}],"
            + "\"first_id\":\"file-alice1\",\"last_id\":\"file-other9\",\"has_more\":false}";

    @BeforeAll
    static void start() {
        openAi = StandInOpenAi.start()
                .json("POST /v1/files", "{\"id\":\"file-alice1\",\"object\":\"file\",\"bytes\":5,\"created_at\":1,"
                        + "\"filename\":\"notes.jsonl\",\"purpose\":\"batch\"}")
                .json("GET /v1/files/file-alice1", "{\"id\":\"file-alice1\",\"object\":\"file\",\"purpose\":\"batch\"}")
                .json("GET /v1/files", FILES)
                // As an upstream that routes paths whatever their case would answer.
                .json("GET /v1/FILES", FILES).json("GET /v1/Files", FILES);
        gw = TestGateway.start(Map.of("OPENAI_BASE_URL", openAi.baseUrl()));
        alice = gw.gateway.keys().create("alice-key", "alice", false).secret();
        bob = gw.gateway.keys().create("bob-key", "bob", false).secret();
    }

    @AfterAll
    static void stop() {
        gw.close();
        openAi.close();
    }

    @Test
    void aFileUploadedThroughTheGatewayIsItsUploadersAlone() throws Exception {
        String boundary = "ownershipBoundary";
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.jsonl\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n{}\r\n\r\n--" + boundary + "--\r\n";
        HttpResponse<String> uploaded = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/files")))
                .header("Authorization", "Bearer " + alice).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8)));
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(uploaded.body()).path("id").asText()).isEqualTo("file-alice1");

        assertThat(get(alice, "/v1/files/file-alice1").statusCode()).isEqualTo(200);
        int before = openAi.received.size();
        HttpResponse<String> bobs = get(bob, "/v1/files/file-alice1");
        assertThat(bobs.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(bobs.body()).path("error").path("message").asText()).contains("file-alice1");
        assertThat(openAi.received).as("another owner's request never reached OpenAI").hasSize(before);

        // A list shows each owner only their own files.
        JsonNode alicesList = Json.MAPPER.readTree(get(alice, "/v1/files").body());
        assertThat(alicesList.path("data").findValuesAsText("id")).containsExactly("file-alice1");
        JsonNode bobsList = Json.MAPPER.readTree(get(bob, "/v1/files").body());
        assertThat(bobsList.path("object").asText()).isEqualTo("list");
        assertThat(bobsList.path("data")).isEmpty();
        // Whatever the case of the path's words: a list is a list, filtered.
        for (String path : List.of("/v1/FILES", "/v1/Files", "/v1/files/")) {
            HttpResponse<String> spelled = get(bob, path);
            assertThat(spelled.body()).as(path).doesNotContain("file-alice1");
        }
        assertThat(Json.MAPPER.readTree(get(alice, "/v1/FILES").body()).path("data").findValuesAsText("id")).containsExactly("file-alice1");
        // A GET with a body (JSON, a form, anything) is still the list, filtered; the body is not OpenAI's to read.
        for (String[] body : new String[][] {{"application/json", "{}"}, {"application/json", "{\"purpose\":\"batch\"}"},
                {"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--b--\r\n"},
                {"text/plain", "x"}}) {
            HttpResponse<String> withBody = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/files")))
                    .header("Authorization", "Bearer " + bob).header("Content-Type", body[0])
                    .method("GET", HttpRequest.BodyPublishers.ofString(body[1])));
            assertThat(withBody.body()).as("GET with " + body[0]).doesNotContain("file-alice1");
        }

        // Naming it in a JSON body is refused the same way, before anything is sent.
        before = openAi.received.size();
        HttpResponse<String> batch = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/batches")))
                .header("Authorization", "Bearer " + bob).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input_file_id\":\"file-alice1\",\"endpoint\":\"/v1/responses\","
                        + "\"completion_window\":\"24h\"}")));
        assertThat(batch.statusCode()).isBetween(400, 404);
        assertThat(openAi.received).hasSize(before);

        // And in a form's field, checked as the form passes: upstream never gets the whole form.
        String naming = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file_id\"\r\n\r\nfile-alice1\r\n"
                + "--" + boundary + "--\r\n";
        HttpResponse<String> formNaming = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/future_things")))
                .header("Authorization", "Bearer " + bob).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(naming, StandardCharsets.UTF_8)));
        assertThat(formNaming.statusCode()).as(formNaming.body()).isBetween(400, 404);
        assertThat(openAi.received.stream().skip(before)).noneMatch(StandInOpenAi.Received::complete);
    }

    @Test
    void anotherOwnersIdIsRefusedInANestedFormFieldAndABodyTheGatewayCannotReadIsNeverForwarded() throws Exception {
        String boundary = "nestedBoundary";
        String upload = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"n.jsonl\"\r\n\r\n{}\r\n--"
                + boundary + "--\r\n";
        assertThat(send(alice, "/v1/files", "multipart/form-data; boundary=" + boundary, upload).statusCode()).isEqualTo(200);

        // Form names in the brackets the SDKs write for nested values name the same fields a JSON body would.
        for (String name : new String[] {"file_id[]", "file_ids[0]", "tools[0][file_ids][]", "attachments[0][file_id]",
                "data_source[source][file_ids][3]", "tool_resources[code_interpreter][file_ids][]"}) {
            int before = openAi.received.size();
            String naming = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\nfile-alice1\r\n"
                    + "--" + boundary + "--\r\n";
            HttpResponse<String> refused = send(bob, "/v1/future_things", "multipart/form-data; boundary=" + boundary, naming);
            assertThat(refused.statusCode()).as(name + ": " + refused.body()).isEqualTo(404);
            assertThat(openAi.received.stream().skip(before)).as(name).noneMatch(StandInOpenAi.Received::complete);
        }

        // A part whose name a parser upstream could read otherwise, or a value too long to keep, is refused too.
        String[][] ambiguous = {{"Content-Disposition: form-data; name=\"file_id\"; name=\"purpose\"", "file-alice1"},
                {"Content-Disposition: form-data; name*=UTF-8''file_id", "file-alice1"},
                {"Content-Disposition: form-data; name=\"file_id\"\r\nContent-Disposition: form-data; name=\"purpose\"", "file-alice1"},
                {"Content-Disposition: form-data; name=\"file_id\"", "file-alice1" + " ".repeat(70_000)}};
        for (String[] part : ambiguous) {
            int before = openAi.received.size();
            String form = "--" + boundary + "\r\n" + part[0] + "\r\n\r\n" + part[1] + "\r\n--" + boundary + "--\r\n";
            HttpResponse<String> refused = send(bob, "/v1/future_things", "multipart/form-data; boundary=" + boundary, form);
            assertThat(refused.statusCode()).as(part[0] + ": " + refused.body()).isEqualTo(400);
            assertThat(openAi.received.stream().skip(before)).as(part[0]).noneMatch(StandInOpenAi.Received::complete);
        }

        // A body neither JSON nor a form could name anything unseen: refused before anything is sent, on any path.
        String[][] unread = {{"text/plain", "{\"input_file_id\":\"file-alice1\"}"},
                {"application/x-www-form-urlencoded", "input_file_id=file-alice1&endpoint=%2Fv1%2Fresponses"},
                {"application/octet-stream", "{\"file_id\":\"file-alice1\"}"}, {"multipart/mixed; boundary=x", "--x--"},
                {"text/json", "{\"previous_response_id\":\"resp_x\"}"}};
        for (String path : new String[] {"/v1/batches", "/v1/vector_stores/vs_x/files", "/v1/future_things"}) {
            for (String[] body : unread) {
                HttpResponse<String> refused = send(bob, path, body[0], body[1]);
                assertThat(refused.statusCode()).as(path + " " + body[0]).isIn(404, 415);
                if (refused.statusCode() == 415) {
                    assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("unsupported_media_type");
                }
            }
            // (Forms aborted above may be recorded late, incomplete: only whole requests to this path count.)
            assertThat(openAi.received).as(path).noneMatch(received -> received.path().equals(path) && received.complete());
        }
        assertThat(send(bob, "/v1/future_things", "text/plain", "hello").statusCode()).isEqualTo(415);
    }

    private static HttpResponse<String> send(String key, String path, String contentType, String body) {
        return gw.send(HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + key)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    private static HttpResponse<String> get(String key, String path) {
        return gw.send(HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + key));
    }
}
