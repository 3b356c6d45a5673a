package dev.switchboard.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.web.GatewayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The path rule table against OpenAI's own spec: every path template with an id parameter is read as naming a kind,
 * as reached through its parent, or as deliberately left alone; no fixed word of a spec path is taken for an id.
 * A spec that grows a path the table cannot read fails here, naming it.
 */
class PathRulesTest {
    private static final Pattern PATH_KEY = Pattern.compile("^  (/[^:\\s]*):\\s*$");

    @Test
    void everySpecPathIsReadByTheTable() throws IOException {
        List<String> unreadable = new ArrayList<>();
        Map<String, String> readings = new LinkedHashMap<>();
        for (String template : specPaths()) {
            try {
                readings.put(template, PathRules.TABLE.classify(template));
            } catch (IllegalArgumentException e) {
                unreadable.add(e.getMessage());
            }
        }
        assertThat(unreadable).as("spec paths the rule table cannot read").isEmpty();
        assertThat(readings).hasSizeGreaterThan(150);
        // The kinds the issue names, read where the spec puts them.
        assertThat(readings).containsEntry("/files/{file_id}/content", "/files/{file}/content")
                .containsEntry("/vector_stores/{vector_store_id}/files/{file_id}", "/vector_stores/{vector_store}/files/{parent}")
                .containsEntry("/batches/{batch_id}", "/batches/{batch}")
                .containsEntry("/uploads/{upload_id}/parts", "/uploads/{upload}/parts")
                .containsEntry("/fine_tuning/jobs/{fine_tuning_job_id}", "/fine_tuning/jobs/{fine_tuning_job}")
                .containsEntry("/containers/{container_id}/files/{file_id}", "/containers/{container}/files/{parent}")
                .containsEntry("/evals/{eval_id}/runs/{run_id}", "/evals/{eval}/runs/{parent}")
                .containsEntry("/videos/{video_id}", "/videos/{video}")
                .containsEntry("/chat/completions/{completion_id}", "/chat/completions/{chat_completion}")
                .containsEntry("/responses/{response_id}", "/responses/{response}")
                .containsEntry("/conversations/{conversation_id}/items/{item_id}", "/conversations/{conversation}/items/{parent}")
                .containsEntry("/models/{model}", "/models/{model when deleting}")
                .containsEntry("/responses/input_tokens", "/responses/input_tokens")
                .containsEntry("/videos/characters/{character_id}", "/videos/characters/{video_character}");
        assertThat(readings.get("/threads/{thread_id}/runs/{run_id}")).startsWith("excluded: ");
        assertThat(readings.get("/organization/projects/{project_id}")).startsWith("excluded: ");
        // Every spec path with a parameter is read, none left to the id-shape fallback.
        assertThat(readings.entrySet().stream().filter(e -> e.getKey().contains("{")).map(Map.Entry::getValue))
                .allSatisfy(reading -> assertThat(reading).matches("excluded: .*|.*\\{[a-z_ ]+}.*"));
    }

    @Test
    void aPathNamesItsIdsByTemplateAndBeyondTheTableByTheirShape() {
        assertThat(walk("GET", "/v1/files/file-abc/content").named())
                .containsExactly(new PathRules.Named(ApiKinds.FILE, "file-abc"));
        assertThat(walk("POST", "/v1/vector_stores/vs_1/files/file-2").named()).extracting(PathRules.Named::kind)
                .containsExactly(ApiKinds.VECTOR_STORE);
        // Reached through its parent: a conversation's item and an eval's run are not owned themselves.
        assertThat(walk("GET", "/v1/conversations/conv_1/items/msg_123456789").named())
                .containsExactly(new PathRules.Named(ApiKinds.CONVERSATION, "conv_1"));
        assertThat(walk("GET", "/v1/evals/eval_1/runs/evalrun_123456789/output_items/outputitem_1234567").named())
                .containsExactly(new PathRules.Named(ApiKinds.EVAL, "eval_1"));
        // Beyond the table: a known prefix names its kind, an id-shaped word an object; plain words nothing.
        assertThat(walk("POST", "/v1/files/file-abc/new_action/batch_68af4030592c81938e").named())
                .extracting(PathRules.Named::kind).containsExactly(ApiKinds.FILE, ApiKinds.BATCH);
        // A new word below a known path is not an id, even with a kind's prefix.
        assertThat(walk("GET", "/v1/evals/eval_1/eval_settings").named()).extracting(PathRules.Named::kind)
                .containsExactly(ApiKinds.EVAL);
        PathRules.Walk unknown = walk("GET", "/v1/gizmos/gzm_68af40305c8/parts");
        assertThat(unknown.known()).isFalse();
        assertThat(unknown.named()).containsExactly(new PathRules.Named(ApiKinds.OBJECT, "gzm_68af40305c8"));
        assertThat(walk("POST", "/v1/gizmos/client_secrets").named()).isEmpty();
        assertThat(walk("GET", "/v1/models/gpt-4o-mini-2024-07-18").named()).isEmpty();
    }

    @Test
    void collectionsAreWhatAPostCreatesAndAGetLists() {
        assertThat(walk("POST", "/v1/files").collection()).isEqualTo(ApiKinds.FILE);
        assertThat(walk("GET", "/v1/fine_tuning/jobs?limit=3").collection()).isEqualTo(ApiKinds.FINE_TUNING_JOB);
        assertThat(walk("POST", "/v1/vector_stores/vs_1/files").collection()).isNull();
        assertThat(walk("POST", "/v1/conversations/conv_1/items").collection()).isNull();
        assertThat(walk("GET", "/v1/models").collection()).isNull();
        assertThat(walk("POST", "/v1/responses/input_tokens").collection()).isNull();
        assertThat(walk("GET", "/v1/videos/characters").collection()).isEqualTo(ApiKinds.VIDEO_CHARACTER);
    }

    @Test
    void onlyDeletingAFineTunedModelIsOwned() {
        assertThat(walk("GET", "/v1/models/ft:gpt-4o-mini:org::abc").named()).isEmpty();
        assertThat(walk("DELETE", "/v1/models/ft%3Agpt-4o-mini%3Aorg%3A%3Aabc").named())
                .containsExactly(new PathRules.Named(ApiKinds.MODEL, "ft:gpt-4o-mini:org::abc"));
    }

    @Test
    void pathsThatCouldReachAnotherPathThanTheOneJudgedAreRefused() {
        for (String path : List.of("/v1/files/file-mine/../file-theirs", "/v1/files/./file-x", "/v1/gizmos/%2e%2e/x",
                "/v1/files/file-a%2Ffile-b", "/v1/files/%zz", "/v1/files/file-a%5Cb")) {
            assertThatThrownBy(() -> walk("GET", path)).as(path).isInstanceOfSatisfying(GatewayException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.code()).isEqualTo("invalid_path");
            });
        }
        // An escaped id is judged as the id it decodes to, beyond the table too.
        assertThat(walk("GET", "/v1/gizmos/file%2DTheirs12345").named())
                .containsExactly(new PathRules.Named(ApiKinds.FILE, "file-Theirs12345"));
        assertThatThrownBy(() -> walk("GET", "/v1/files/" + "f".repeat(201))).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.param()).isEqualTo("file_id"));
    }

    private static PathRules.Walk walk(String method, String path) {
        return PathRules.TABLE.walk(method, path);
    }

    private static TreeSet<String> specPaths() throws IOException {
        TreeSet<String> paths = new TreeSet<>();
        for (String line : Files.readAllLines(spec())) {
            Matcher m = PATH_KEY.matcher(line);
            if (m.matches()) paths.add(m.group(1).replaceAll("\\?.*$", ""));
        }
        return paths;
    }

    private static Path spec() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/reference/openai-openapi.yaml");
            if (Files.isRegularFile(candidate)) return candidate;
        }
        throw new IllegalStateException("OpenAI's OpenAPI spec (shared/reference/openai-openapi.yaml) is not beside the repository");
    }
}
