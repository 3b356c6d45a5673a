package dev.switchboard.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestDatabase;
import dev.switchboard.config.DatabaseSettings;
import dev.switchboard.config.Secret;
import dev.switchboard.store.Database;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ApiOwnership's three tables at work on requests and answers of the whole API, with owners kept in the real
 * registry: what a request names is refused as OpenAI refuses an unknown id unless it is the caller's owner's,
 * wherever it sits; what an answer creates or hands on becomes the caller's owner's; what belongs to nobody
 * (models, the gateway's own Assistants routes) is left alone.
 */
class ApiOwnershipTest {
    static Database database;
    static OwnedObjects objects;
    static ApiOwnership ownership;
    static String url;
    final String a = "owner-a-" + UUID.randomUUID();
    final String b = "owner-b-" + UUID.randomUUID();

    @BeforeAll
    static void migrate() throws Exception {
        url = TestDatabase.freshDatabase(TestDatabase.sharedUrl());
        database = Database.connect(new DatabaseSettings(Optional.of(Secret.of(url))), Path.of("unused"));
        database.migrate();
        objects = new OwnedObjects(database.jdbi());
        ownership = new ApiOwnership(objects);
    }

    @AfterAll
    static void drop() throws Exception {
        objects.close();
        database.close();
        TestDatabase.drop(TestDatabase.sharedUrl(), url);
    }

    static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** {@code a} creates it through a POST answered with its id. */
    String created(String path, String prefix) {
        String id = unique(prefix);
        ownership.recordAnswer(a, "POST", path, json("{\"id\":\"" + id + "\",\"object\":\"x\"}"));
        return id;
    }

    GatewayException refusedForB(String method, String path, String body) {
        try {
            ownership.check(b, method, path, body == null ? null : json(body));
        } catch (GatewayException e) {
            return e;
        }
        throw new AssertionError(method + " " + path + " " + body + " was not refused");
    }

    @Test
    void anotherOwnersFileIsAnUnknownFileInThePathAndInEveryBodyField() {
        String file = created("/v1/files", "file-");
        assertThatCode(() -> ownership.check(a, "GET", "/v1/files/" + file + "/content", null)).doesNotThrowAnyException();

        GatewayException inPath = refusedForB("GET", "/v1/files/" + file + "/content", null);
        assertThat(inPath.status()).isEqualTo(404);
        assertThat(inPath.getMessage()).isEqualTo("No such File object: " + file);
        assertThat(inPath.param()).isEqualTo("id");

        for (String body : new String[] {
                "{\"input_file_id\":\"%s\",\"endpoint\":\"/v1/responses\",\"completion_window\":\"24h\"}",
                "{\"model\":\"gpt-4o-mini\",\"training_file\":\"%s\"}",
                "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"%s\"}]}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"%s\"}}]}]}",
                "{\"name\":\"vs\",\"file_ids\":[\"file-mine0000000000000000\",\"%s\"]}",
                "{\"data_source\":{\"type\":\"jsonl\",\"source\":{\"type\":\"file_id\",\"id\":\"%s\"}}}",
                "{\"tools\":[{\"type\":\"code_interpreter\",\"container\":{\"type\":\"auto\",\"file_ids\":[\"%s\"]}}]}"}) {
            String bsOwn = unique("file-");
            ownership.recordAnswer(b, "POST", "/v1/files", json("{\"id\":\"" + bsOwn + "\"}"));
            String bodyText = body.formatted(file).replace("file-mine0000000000000000", bsOwn);
            GatewayException refused = refusedForB("POST", "/v1/anything", bodyText);
            assertThat(refused.status()).as(bodyText).isEqualTo(404);
            assertThat(refused.getMessage()).as(bodyText).isEqualTo("No such File object: " + file);
            assertThat(refused.param()).as(bodyText).isIn("input_file_id", "training_file", "file_id", "file_ids", "id");
        }
        // The form fields of a multipart body are read as the body fields of their names.
        assertThatThrownBy(() -> ownership.checkFormField(b, "POST", "/v1/containers/x/files", "file_ids[]", file))
                .isInstanceOf(GatewayException.class);
        assertThatCode(() -> ownership.checkFormField(b, "POST", "/v1/files", "purpose", "batch")).doesNotThrowAnyException();
    }

    @Test
    void vectorStoresResponsesAndConversationsAreCheckedWhereTheySitWithOpenAisAnswers() {
        String store = created("/v1/vector_stores", "vs_");
        String response = created("/v1/responses", "resp_");
        String conversation = created("/v1/conversations", "conv_");

        GatewayException tool = refusedForB("POST", "/v1/responses",
                "{\"model\":\"m\",\"tools\":[{\"type\":\"file_search\",\"vector_store_ids\":[\"" + store + "\"]}]}");
        assertThat(tool.status()).isEqualTo(404);
        assertThat(tool.getMessage()).isEqualTo("No vector store found with id '" + store + "'.");
        assertThat(tool.param()).isEqualTo("vector_store_ids");

        GatewayException previous = refusedForB("POST", "/v1/responses", "{\"previous_response_id\":\"" + response + "\"}");
        assertThat(previous.status()).isEqualTo(400);
        assertThat(previous.code()).isEqualTo("previous_response_not_found");
        assertThat(refusedForB("POST", "/v1/responses", "{\"conversation\":{\"id\":\"" + conversation + "\"}}").status())
                .isEqualTo(404);
        assertThat(refusedForB("GET", "/v1/vector_stores/" + store + "/files", null).getMessage()).contains(store);

        String skill = created("/v1/skills", "skill_");
        GatewayException skillRefused = refusedForB("POST", "/v1/responses", "{\"tools\":[{\"type\":\"shell\",\"environment\":"
                + "{\"skills\":[{\"type\":\"skill_reference\",\"skill_id\":\"" + skill + "\"}]}}]}");
        assertThat(skillRefused.getMessage()).isEqualTo("Skill with id '" + skill + "' not found.");
        assertThat(skillRefused.param()).isEqualTo("skill_id");

        assertThatCode(() -> ownership.check(a, "POST", "/v1/responses", json("{\"previous_response_id\":\"" + response
                + "\",\"conversation\":\"" + conversation + "\",\"tools\":[{\"type\":\"file_search\",\"vector_store_ids\":[\""
                + store + "\"]}]}"))).doesNotThrowAnyException();
    }

    @Test
    void wordsThatAreNotReferencesAreLeftAlone() {
        // metadata keys, JSON schemas and citations are the client's words; conversation counts only at the top.
        assertThatCode(() -> ownership.check(b, "POST", "/v1/responses", json("{\"metadata\":{\"file_id\":\"mine\"},"
                + "\"text\":{\"format\":{\"type\":\"json_schema\",\"schema\":{\"properties\":{\"file_id\":{\"type\":\"string\"}}}}},"
                + "\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":{\"properties\":{\"vector_store_ids\":{}}}}],"
                + "\"input\":[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"t\","
                + "\"annotations\":[{\"type\":\"container_file_citation\",\"file_id\":\"cfile_1\"}]}]},"
                + "{\"type\":\"message\",\"role\":\"user\",\"content\":\"file-abc\",\"conversation\":\"c\"}]}")))
                .doesNotThrowAnyException();
        // The gateway's own Assistants routes keep their owners themselves; models are everyone's to use.
        assertThatCode(() -> ownership.check(b, "POST", "/v1/threads/thread_abc123456789/runs", json("{\"file_id\":\"x\"}")))
                .doesNotThrowAnyException();
        assertThatCode(() -> ownership.check(b, "GET", "/v1/models/ft:gpt-4o-mini:org::abc", null)).doesNotThrowAnyException();
    }

    @Test
    void aHostileIdIsRefusedNamingItsFieldWithoutBeingLookedUpOrEchoed() {
        GatewayException huge = refusedForB("POST", "/v1/batches", "{\"input_file_id\":\"file-" + "9".repeat(100_000) + "\"}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.param()).isEqualTo("input_file_id");
        assertThat(huge.getMessage().length()).isLessThan(200);
        assertThat(refusedForB("POST", "/v1/batches", "{\"input_file_id\":\"file-a\\r\\nX: y\"}").status()).isEqualTo(400);
        // Thousands of ids are looked up together, and the first that is not the caller's is the one refused.
        StringBuilder many = new StringBuilder("{\"file_ids\":[");
        for (int i = 0; i < 5_000; i++) many.append("\"file-nobodys").append(i).append("\",");
        many.setLength(many.length() - 1);
        GatewayException first = refusedForB("POST", "/v1/vector_stores", many.append("]}").toString());
        assertThat(first.getMessage()).isEqualTo("No such File object: file-nobodys0");
        // Deeply nested: walked without recursion.
        String deep = "[".repeat(900) + "{\"file_id\":\"file-nobodys1234\"}" + "]".repeat(900);
        assertThat(refusedForB("POST", "/v1/x", "{\"a\":" + deep + "}").status()).isEqualTo(404);
    }

    @Test
    void answersHandOnObjectsToTheirOwner() {
        // A completed upload's file, a batch's output and error files, a fine-tuning job's results and model.
        String upload = created("/v1/uploads", "upload_");
        String uploaded = unique("file-");
        ownership.recordAnswer(a, "POST", "/v1/uploads/" + upload + "/complete", json("{\"id\":\"" + upload
                + "\",\"object\":\"upload\",\"status\":\"completed\",\"file\":{\"id\":\"" + uploaded + "\",\"object\":\"file\"}}"));
        String batch = created("/v1/batches", "batch_");
        String output = unique("file-");
        String errors = unique("file-");
        ownership.recordAnswer(a, "GET", "/v1/batches/" + batch, json("{\"id\":\"" + batch + "\",\"object\":\"batch\","
                + "\"output_file_id\":\"" + output + "\",\"error_file_id\":\"" + errors + "\"}"));
        String job = created("/v1/fine_tuning/jobs", "ftjob-");
        String result = unique("file-");
        String model = "ft:gpt-4o-mini:org::" + unique("");
        ownership.recordAnswer(a, "GET", "/v1/fine_tuning/jobs/" + job, json("{\"id\":\"" + job + "\",\"object\":"
                + "\"fine_tuning.job\",\"result_files\":[\"" + result + "\"],\"fine_tuned_model\":\"" + model + "\"}"));

        for (String file : new String[] {uploaded, output, errors, result}) {
            assertThatCode(() -> ownership.check(a, "GET", "/v1/files/" + file, null)).doesNotThrowAnyException();
            assertThat(refusedForB("GET", "/v1/files/" + file, null).status()).isEqualTo(404);
        }
        // A fine-tuned model is the organisation's to use, but only its job's owner deletes it.
        assertThatCode(() -> ownership.check(b, "GET", "/v1/models/" + model, null)).doesNotThrowAnyException();
        assertThatCode(() -> ownership.check(a, "DELETE", "/v1/models/" + model, null)).doesNotThrowAnyException();
        GatewayException deleting = refusedForB("DELETE", "/v1/models/" + model, null);
        assertThat(deleting.code()).isEqualTo("model_not_found");
        assertThat(deleting.status()).isEqualTo(404);
    }

    @Test
    void aPostMakesWhatItsPathOrItsIdsPrefixSaysAndNothingElse() {
        String video = created("/v1/videos", "video_");
        String remix = unique("video_");
        ownership.recordAnswer(a, "POST", "/v1/videos/" + video + "/remix", json("{\"id\":\"" + remix + "\",\"object\":\"video\"}"));
        assertThat(objects.owns(a, ApiKinds.VIDEO.stored(), remix)).isTrue();
        // A moderation's id names nothing that can be used again.
        String moderation = unique("modr-");
        ownership.recordAnswer(a, "POST", "/v1/moderations", json("{\"id\":\"" + moderation + "\",\"results\":[]}"));
        assertThat(objects.ownerOf(ApiKinds.OBJECT.stored(), moderation)).isEmpty();
        // A known path that is no collection of the table still owns what its answer creates.
        String voice = unique("voice_");
        ownership.recordAnswer(a, "POST", "/v1/audio/voices", json("{\"id\":\"" + voice + "\",\"object\":\"audio.voice\"}"));
        assertThatCode(() -> ownership.check(a, "GET", "/v1/audio/voices/" + voice, null)).doesNotThrowAnyException();
        assertThat(refusedForB("GET", "/v1/audio/voices/" + voice, null).status()).isEqualTo(404);
        // A GET creates nothing: reading an object never makes it the reader's.
        String read = unique("file-");
        ownership.recordAnswer(b, "GET", "/v1/gizmos/x", json("{\"id\":\"" + read + "\"}"));
        assertThat(objects.ownerOf(ApiKinds.FILE.stored(), read)).isEmpty();
        // An answer naming an object recorded before keeps its first owner.
        ownership.recordAnswer(b, "POST", "/v1/videos/edits", json("{\"id\":\"" + remix + "\",\"object\":\"video\"}"));
        assertThat(objects.owns(a, ApiKinds.VIDEO.stored(), remix)).isTrue();
    }

    @Test
    void anEndpointTheGatewayDoesNotKnowHasItsCreatedIdsOwnedAndCheckedByTheirShape() {
        String gizmo = unique("gzm_1");
        ownership.recordAnswer(a, "POST", "/v1/gizmos", json("{\"id\":\"" + gizmo + "\",\"object\":\"gizmo\"}"));
        assertThatCode(() -> ownership.check(a, "POST", "/v1/gizmos/" + gizmo + "/spin", null)).doesNotThrowAnyException();
        GatewayException foreign = refusedForB("POST", "/v1/gizmos/" + gizmo + "/spin", null);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.getMessage()).isEqualTo("Object with id '" + gizmo + "' not found.");
        // Never seen created: nobody's, not even a first caller's.
        assertThat(refusedForB("GET", "/v1/gizmos/" + unique("gzm_2"), null).status()).isEqualTo(404);
        // A known kind's id under an unknown endpoint is that kind's.
        String file = created("/v1/files", "file-");
        assertThat(refusedForB("GET", "/v1/gizmos/by_file/" + file, null).getMessage()).isEqualTo("No such File object: " + file);
    }

    @Test
    void streamsRecordWhatTheirEventsCreate() {
        String response = unique("resp_");
        ownership.recordEvent(a, "POST", "/v1/responses", json("{\"type\":\"response.created\",\"sequence_number\":0,"
                + "\"response\":{\"id\":\"" + response + "\",\"object\":\"response\",\"status\":\"in_progress\"}}"));
        String container = unique("cntr_");
        ownership.recordEvent(a, "POST", "/v1/responses", json("{\"type\":\"response.output_item.added\",\"item\":"
                + "{\"type\":\"code_interpreter_call\",\"id\":\"ci_1\",\"container_id\":\"" + container + "\"}}"));
        String completion = unique("chatcmpl-");
        ownership.recordEvent(a, "POST", "/v1/chat/completions", json("{\"id\":\"" + completion
                + "\",\"object\":\"chat.completion.chunk\",\"choices\":[]}"));
        String gizmo = unique("gzm_3");
        ownership.recordEvent(a, "POST", "/v1/gizmos", json("{\"type\":\"gizmo.created\",\"gizmo\":{\"id\":\"" + gizmo + "\"}}"));

        assertThat(objects.owns(a, ApiKinds.RESPONSE.stored(), response)).isTrue();
        assertThat(objects.owns(a, ApiKinds.CONTAINER.stored(), container)).isTrue();
        assertThat(objects.owns(a, ApiKinds.CHAT_COMPLETION.stored(), completion)).isTrue();
        assertThat(objects.owns(a, ApiKinds.OBJECT.stored(), gizmo)).isTrue();
        assertThat(refusedForB("GET", "/v1/chat/completions/" + completion + "/messages", null).status()).isEqualTo(404);
    }

    @Test
    void listsOfAKindAreFilteredAndListsReachedThroughAnOwnedObjectAreNot() {
        assertThat(ownership.listing("GET", "/v1/files")).isPresent();
        assertThat(ownership.listing("GET", "/v1/batches")).isPresent();
        assertThat(ownership.listing("GET", "/v1/vector_stores")).isPresent();
        assertThat(ownership.listing("GET", "/v1/fine_tuning/jobs")).isPresent();
        assertThat(ownership.listing("GET", "/v1/chat/completions")).isPresent();
        assertThat(ownership.listing("GET", "/v1/vector_stores/vs_1/files")).isEmpty();
        assertThat(ownership.listing("GET", "/v1/conversations/conv_1/items")).isEmpty();
        assertThat(ownership.listing("GET", "/v1/models")).isEmpty();
        assertThat(ownership.listing("POST", "/v1/files")).isEmpty();
        assertThat(ownership.listing("GET", "/v1/assistants")).isEmpty();
    }
}
