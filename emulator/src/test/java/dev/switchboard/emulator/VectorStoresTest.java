package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.errors.NotFoundException;
import com.openai.models.ComparisonFilter;
import com.openai.models.files.FilePurpose;
import com.openai.models.vectorstores.VectorStore;
import com.openai.models.vectorstores.VectorStoreCreateParams;
import com.openai.models.vectorstores.VectorStoreSearchParams;
import com.openai.models.vectorstores.VectorStoreSearchResponse;
import com.openai.models.vectorstores.filebatches.FileBatchCreateParams;
import com.openai.models.vectorstores.filebatches.VectorStoreFileBatch;
import com.openai.models.vectorstores.files.FileCreateParams;
import com.openai.models.vectorstores.files.VectorStoreFile;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Vector stores through the official SDK: files, file batches and a search whose ranking follows the query's words. */
class VectorStoresTest {
    static Emulator emulator;
    static DataApiClient client;

    @BeforeAll
    static void start() {
        emulator = DataApiClient.start();
        client = new DataApiClient(emulator);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    static String file(String name, String text) {
        return client.upload(name, text.getBytes(), FilePurpose.ASSISTANTS).id();
    }

    static List<VectorStoreSearchResponse> search(String store, VectorStoreSearchParams.Builder params) {
        return client.sdk.vectorStores().search(params.vectorStoreId(store).build()).data();
    }

    @Test
    void searchRanksChunksByTheQueryWordsTheyHold() {
        String penguins = file("penguins.txt", "Emperor penguins swim deep in cold Antarctic water and dive for fish.");
        String kettles = file("kettles.txt", "A kettle boils water quickly.");
        String birds = file("birds.txt", "Most birds fly. Penguins are birds, and penguins cannot fly.");
        VectorStore store = client.sdk.vectorStores().create(VectorStoreCreateParams.builder().name("nature")
                .fileIds(List.of(kettles, birds, penguins)).build());
        assertThat(store.id()).startsWith("vs_");
        assertThat(store.status()).isEqualTo(VectorStore.Status.COMPLETED);
        assertThat(store.fileCounts().completed()).isEqualTo(3);
        assertThat(store.usageBytes()).isPositive();

        List<VectorStoreSearchResponse> results = search(store.id(), VectorStoreSearchParams.builder().query("how do penguins swim in water"));
        assertThat(results).extracting(VectorStoreSearchResponse::fileId).containsExactly(penguins, birds, kettles);
        assertThat(results.get(0).filename()).isEqualTo("penguins.txt");
        assertThat(results.get(0).score()).isGreaterThan(results.get(1).score()).isLessThanOrEqualTo(1);
        assertThat(results.get(0).content().get(0).text()).contains("Emperor penguins swim");

        assertThat(search(store.id(), VectorStoreSearchParams.builder().query("penguins").maxNumResults(1)))
                .extracting(VectorStoreSearchResponse::fileId).containsExactly(birds); // two hits of one word: equal coverage, more density
        assertThat(search(store.id(), VectorStoreSearchParams.builder().query("volcano"))).isEmpty();
    }

    @Test
    void aLongFileIsSearchedChunkByChunk() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) text.append(i == 450 ? "zebra stripes " : "filler" + i + " ");
        String id = file("long.txt", text.toString());
        String store = client.ok("POST", "/vector_stores", "{}").get("id").asText();
        JsonNode added = client.ok("POST", "/vector_stores/" + store + "/files", "{\"file_id\":\"" + id + "\",\"chunking_strategy\":"
                + "{\"type\":\"static\",\"static\":{\"max_chunk_size_tokens\":100,\"chunk_overlap_tokens\":50}}}");
        assertThat(added.at("/chunking_strategy/static/max_chunk_size_tokens").asInt()).isEqualTo(100);
        List<VectorStoreSearchResponse> results = search(store, VectorStoreSearchParams.builder().query("zebra"));
        // Chunks of 100 words every 50: two of them hold word 450 (and its neighbour).
        assertThat(results).hasSize(2);
        for (VectorStoreSearchResponse result : results) {
            String chunk = result.content().get(0).text();
            assertThat(chunk).contains("zebra stripes");
            assertThat(chunk.split(" ")).hasSizeLessThanOrEqualTo(100);
        }
        DataApiClient.assertError(client.json("POST", "/vector_stores/" + store + "/files", "{\"file_id\":\"" + id + "\",\"chunking_strategy\":"
                + "{\"type\":\"static\",\"static\":{\"max_chunk_size_tokens\":100,\"chunk_overlap_tokens\":60}}}"),
                400, "chunking_strategy", "at most half");
    }

    @Test
    void attributesFilterTheSearchAndFilesComeAndGo() {
        VectorStore store = client.sdk.vectorStores().create(VectorStoreCreateParams.builder().name("docs").build());
        String english = file("en.txt", "The release notes describe the new release.");
        String french = file("fr.txt", "Les notes de version: release notes in French.");
        VectorStoreFile added = client.sdk.vectorStores().files().create(store.id(), FileCreateParams.builder().fileId(english)
                .attributes(FileCreateParams.Attributes.builder().putAdditionalProperty("lang", JsonValue.from("en")).build()).build());
        assertThat(added.id()).isEqualTo(english);
        assertThat(added.vectorStoreId()).isEqualTo(store.id());
        assertThat(added.status()).isEqualTo(VectorStoreFile.Status.COMPLETED);
        VectorStoreFileBatch batch = client.sdk.vectorStores().fileBatches().create(store.id(), FileBatchCreateParams.builder()
                .fileIds(List.of(french))
                .attributes(FileBatchCreateParams.Attributes.builder().putAdditionalProperty("lang", JsonValue.from("fr")).build()).build());
        assertThat(batch.id()).startsWith("vsfb_");
        assertThat(batch.status()).isEqualTo(VectorStoreFileBatch.Status.COMPLETED);
        assertThat(batch.fileCounts().completed()).isEqualTo(1);
        assertThat(client.sdk.vectorStores().fileBatches().listFiles(batch.id(),
                com.openai.models.vectorstores.filebatches.FileBatchListFilesParams.builder().vectorStoreId(store.id()).build())
                .data()).extracting(VectorStoreFile::id).containsExactly(french);

        var frenchOnly = search(store.id(), VectorStoreSearchParams.builder().query("release notes")
                .filters(ComparisonFilter.builder().key("lang").type(ComparisonFilter.Type.EQ).value("fr").build()));
        assertThat(frenchOnly).extracting(VectorStoreSearchResponse::fileId).containsExactly(french);
        assertThat(frenchOnly.get(0).attributes().orElseThrow()._additionalProperties().get("lang")).isEqualTo(JsonValue.from("fr"));

        assertThat(client.sdk.vectorStores().files().list(store.id()).data()).extracting(VectorStoreFile::id)
                .containsExactly(french, english);
        assertThat(client.sdk.vectorStores().files().delete(english,
                com.openai.models.vectorstores.files.FileDeleteParams.builder().vectorStoreId(store.id()).build()).deleted()).isTrue();
        assertThat(search(store.id(), VectorStoreSearchParams.builder().query("release notes")))
                .extracting(VectorStoreSearchResponse::fileId).containsExactly(french);
        assertThat(client.sdk.vectorStores().retrieve(store.id()).fileCounts().total()).isEqualTo(1);
        assertThat(client.sdk.vectorStores().delete(store.id()).deleted()).isTrue();
        assertThatThrownBy(() -> client.sdk.vectorStores().retrieve(store.id())).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("No vector store found with id '" + store.id() + "'.");
    }

    @Test
    void fileContentUpdateAndListPaging() throws Exception {
        String a = file("a.txt", "alpha text");
        String b = file("b.txt", "beta text");
        String c = file("c.txt", "gamma text");
        JsonNode store = client.ok("POST", "/vector_stores", "{\"name\":\"paged\",\"file_ids\":[\"" + a + "\",\"" + b + "\",\"" + c
                + "\"],\"metadata\":{\"team\":\"docs\"},\"expires_after\":{\"anchor\":\"last_active_at\",\"days\":7}}");
        String id = store.get("id").asText();
        assertThat(store.get("expires_at").asLong()).isEqualTo(store.get("last_active_at").asLong() + 7 * 86_400);
        JsonNode first = client.ok("GET", "/vector_stores/" + id + "/files?limit=2", null);
        assertThat(first.get("data").findValuesAsText("id")).containsExactly(c, b);
        assertThat(first.get("has_more").asBoolean()).isTrue();
        JsonNode second = client.ok("GET", "/vector_stores/" + id + "/files?limit=2&after=" + first.get("last_id").asText(), null);
        assertThat(second.get("data").findValuesAsText("id")).containsExactly(a);
        assertThat(second.get("has_more").asBoolean()).isFalse();

        JsonNode content = client.ok("GET", "/vector_stores/" + id + "/files/" + a + "/content", null);
        assertThat(content.at("/data/0/text").asText()).isEqualTo("alpha text");
        JsonNode updated = client.ok("POST", "/vector_stores/" + id + "/files/" + a, "{\"attributes\":{\"rank\":3}}");
        assertThat(updated.at("/attributes/rank").asInt()).isEqualTo(3);
        JsonNode renamed = client.ok("POST", "/vector_stores/" + id, "{\"name\":\"renamed\"}");
        assertThat(renamed.get("name").asText()).isEqualTo("renamed");
        assertThat(renamed.at("/metadata/team").asText()).isEqualTo("docs");
    }

    @Test
    void badInputAndUnknownIdsAnswerAsOpenAi() throws Exception {
        String id = client.ok("POST", "/vector_stores", "{}").get("id").asText();
        DataApiClient.assertError(client.json("POST", "/vector_stores", "{\"file_ids\":[\"file-missing\"]}"), 404, "file_ids",
                "No such File object: file-missing");
        DataApiClient.assertError(client.json("POST", "/vector_stores/" + id + "/search", "{}"), 400, "query", "Missing required parameter: 'query'.");
        DataApiClient.assertError(client.json("POST", "/vector_stores/" + id + "/search", "{\"query\":\"x\",\"max_num_results\":51}"),
                400, "max_num_results", "between 1 and 50");
        DataApiClient.assertError(client.json("POST", "/vector_stores/" + id + "/search", "{\"query\":\"x\",\"filters\":{\"type\":\"xor\"}}"),
                400, "filters", "unknown filter type");
        String deep = "{\"type\":\"and\",\"filters\":[".repeat(40) + "]}".repeat(40);
        DataApiClient.assertError(client.json("POST", "/vector_stores/" + id + "/search", "{\"query\":\"x\",\"filters\":" + deep + "}"),
                400, "filters", "nested too deeply");
        DataApiClient.assertError(client.json("POST", "/vector_stores/" + id + "/files", "{\"file_id\":\"" + file("x.txt", "x")
                + "\",\"attributes\":{\"k\":\"" + "v".repeat(513) + "\"}}"), 400, "attributes", "512");
        DataApiClient.assertError(client.json("POST", "/vector_stores/" + id + "/files", "{}"), 400, "file_id", "Missing required parameter: 'file_id'.");
        DataApiClient.assertError(client.json("GET", "/vector_stores/" + id + "/files/file-nope", null), 404, "file_id", "No file found");
        DataApiClient.assertError(client.json("GET", "/vector_stores/vs_nope", null), 404, "vector_store_id", "No vector store found");
        DataApiClient.assertError(client.json("POST", "/vector_stores", "{\"name\":\"" + "n".repeat(300) + "\"}"), 400, "name", "256");
    }
}
