package dev.switchboard.emulator.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.embeddings.EmbeddingModel;
import dev.switchboard.emulator.media.MediaEmulator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /v1/embeddings} through the official SDK and raw HTTP: shapes, lengths, determinism and refusals. */
class EmbeddingsTest {
    static MediaEmulator emulator;

    @BeforeAll
    static void start() {
        emulator = MediaEmulator.start();
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    private static List<Float> embed(String model, String text) {
        return emulator.sdk.embeddings().create(EmbeddingCreateParams.builder().model(model).input(text)
                        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build())
                .data().get(0).embedding();
    }

    @ParameterizedTest
    @CsvSource({"text-embedding-3-small,1536", "text-embedding-3-large,3072", "text-embedding-ada-002,1536"})
    void eachModelAnswersUnitVectorsOfItsRealLength(String model, int length) {
        CreateEmbeddingResponse response = emulator.sdk.embeddings().create(EmbeddingCreateParams.builder()
                .model(model).input("The quick brown fox").build());
        assertThat(response.model()).isEqualTo(model);
        List<Float> vector = response.data().get(0).embedding();
        assertThat(vector).hasSize(length);
        assertThat(norm(vector)).isCloseTo(1.0, within(1e-4));
        assertThat(response.usage().promptTokens()).isPositive().isEqualTo(response.usage().totalTokens());
    }

    @Test
    void theSameTextIsTheSameVectorAndSimilarTextsAreCloserThanUnrelatedOnes() {
        List<Float> cat = embed("text-embedding-3-small", "The cat sat on the mat");
        assertThat(embed("text-embedding-3-small", "The cat sat on the mat")).isEqualTo(cat);
        List<Float> cats = embed("text-embedding-3-small", "A cat was sitting on a mat");
        List<Float> taxes = embed("text-embedding-3-small", "Quarterly tax filing deadlines for corporations");
        assertThat(cosine(cat, cats)).isGreaterThan(cosine(cat, taxes) + 0.2);
        assertThat(cosine(cat, embed("text-embedding-3-small", "The cat sat on the rug"))).isLessThan(0.9999);
    }

    @Test
    void aSearchOverTheVectorsFindsTheDocumentThatSharesTheQuerysWords() {
        List<String> documents = List.of("Password reset instructions for your account",
                "Shipping times for international orders", "Our refund policy for damaged items",
                "How to configure two-factor authentication", "Holiday opening hours of our stores");
        var corpus = emulator.sdk.embeddings().create(EmbeddingCreateParams.builder().model("text-embedding-3-small")
                .inputOfArrayOfStrings(documents).dimensions(512).build()).data();
        String[][] queries = {{"I forgot my password, how do I reset it?", "Password reset"},
                {"when will my international order ship", "Shipping times"},
                {"can I get a refund for a damaged item", "Our refund policy"},
                {"setting up two-factor authentication", "How to configure"}};
        for (String[] query : queries) {
            List<Float> q = emulator.sdk.embeddings().create(EmbeddingCreateParams.builder().model("text-embedding-3-small")
                    .input(query[0]).dimensions(512).build()).data().get(0).embedding();
            int best = 0;
            for (int i = 1; i < documents.size(); i++) {
                if (cosine(q, corpus.get(i).embedding()) > cosine(q, corpus.get(best).embedding())) best = i;
            }
            assertThat(documents.get(best)).as(query[0]).startsWith(query[1]);
        }
    }

    @Test
    void dimensionsShortenV3VectorsAndAda002RefusesThem() {
        CreateEmbeddingResponse shortened = emulator.sdk.embeddings().create(EmbeddingCreateParams.builder()
                .model(EmbeddingModel.TEXT_EMBEDDING_3_LARGE).input("shorter please").dimensions(256).build());
        List<Float> vector = shortened.data().get(0).embedding();
        assertThat(vector).hasSize(256);
        assertThat(norm(vector)).isCloseTo(1.0, within(1e-4));
        // OpenAI's shortening: the full vector's first dimensions, normalized again.
        List<Float> full = embed("text-embedding-3-large", "shorter please");
        double scale = norm(full.subList(0, 256));
        for (int i = 0; i < 256; i++) assertThat((double) vector.get(i)).isCloseTo(full.get(i) / scale, within(1e-5));

        assertThatThrownBy(() -> emulator.sdk.embeddings().create(EmbeddingCreateParams.builder()
                .model(EmbeddingModel.TEXT_EMBEDDING_ADA_002).input("x").dimensions(256).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("does not support specifying dimensions");
    }

    @Test
    void base64IsLittleEndianFloat32OfTheSameVector() throws Exception {
        JsonNode answer = emulator.postJson("/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"encode me\","
                + "\"encoding_format\":\"base64\",\"dimensions\":64}").json();
        byte[] bytes = Base64.getDecoder().decode(answer.path("data").get(0).path("embedding").asText());
        assertThat(bytes).hasSize(64 * 4);
        JsonNode floats = emulator.postJson("/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"encode me\","
                + "\"dimensions\":64}").json().path("data").get(0).path("embedding");
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 64; i++) assertThat(buffer.getFloat()).isEqualTo(floats.get(i).floatValue());
    }

    @Test
    void arraysOfStringsTokensAndTokenArraysAreEmbeddedInOrder() {
        var strings = emulator.sdk.embeddings().create(EmbeddingCreateParams.builder().model("text-embedding-3-small")
                .inputOfArrayOfStrings(List.of("first", "second", "first")).build());
        assertThat(strings.data()).extracting(e -> e.index()).containsExactly(0L, 1L, 2L);
        assertThat(strings.data().get(0).embedding()).isEqualTo(strings.data().get(2).embedding())
                .isNotEqualTo(strings.data().get(1).embedding());

        var tokens = emulator.sdk.embeddings().create(EmbeddingCreateParams.builder().model("text-embedding-3-small")
                .inputOfArrayOfTokens(List.of(1L, 2L, 3L)).build());
        assertThat(tokens.data()).hasSize(1);
        assertThat(tokens.usage().promptTokens()).isEqualTo(3);

        var tokenArrays = emulator.sdk.embeddings().create(EmbeddingCreateParams.builder().model("text-embedding-3-small")
                .inputOfArrayOfTokenArrays(List.of(List.of(1L, 2L, 3L), List.of(9L))).build());
        assertThat(tokenArrays.data()).hasSize(2);
        assertThat(tokenArrays.data().get(0).embedding()).isEqualTo(tokens.data().get(0).embedding());
        assertThat(tokenArrays.usage().promptTokens()).isEqualTo(4);
    }

    @Test
    void anUnknownModelIsNotFoundAsUpstream() throws Exception {
        assertThatThrownBy(() -> embed("text-embedding-4-huge", "x")).isInstanceOf(NotFoundException.class);
        JsonNode error = emulator.postJson("/embeddings", "{\"model\":\"text-embedding-4-huge\",\"input\":\"x\"}").error(404);
        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(emulator.postJson("/embeddings", "{\"model\":\"gpt-4o\",\"input\":\"x\"}").error(400).path("param").asText())
                .isEqualTo("model");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"input\":\"x\"}",
            "{\"model\":\"text-embedding-3-small\"}",
            "{\"model\":\"text-embedding-3-small\",\"input\":\"\"}",
            "{\"model\":\"text-embedding-3-small\",\"input\":[]}",
            "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"\"]}",
            "{\"model\":\"text-embedding-3-small\",\"input\":[1,\"a\"]}",
            "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",[1]]}",
            "{\"model\":\"text-embedding-3-small\",\"input\":[[1],[]]}",
            "{\"model\":\"text-embedding-3-small\",\"input\":[-1]}",
            "{\"model\":\"text-embedding-3-small\",\"input\":{\"text\":\"a\"}}",
            "{\"model\":\"text-embedding-3-small\",\"input\":42}",
            "{\"model\":[\"text-embedding-3-small\"],\"input\":\"x\"}",
            "{\"model\":\"text-embedding-3-small\\u0000\",\"input\":\"x\"}",
            "{\"model\":\"text-embedding-3-small\\r\\nX-Injected: 1\",\"input\":\"x\"}",
            "{\"model\":\"text-embedding-3-small\",\"input\":\"x\",\"dimensions\":0}",
            "{\"model\":\"text-embedding-3-small\",\"input\":\"x\",\"dimensions\":1537}",
            "{\"model\":\"text-embedding-3-small\",\"input\":\"x\",\"dimensions\":\"64\"}",
            "{\"model\":\"text-embedding-3-small\",\"input\":\"x\",\"encoding_format\":\"hex\"}",
            "{\"model\":\"text-embedding-3-small\",\"input\":\"x\",\"encoding_format\":1}",
            "[\"not an object\"]",
            "{not json"})
    void malformedRequestsAreRefusedWith400(String body) throws Exception {
        MediaEmulator.Answer answer = emulator.postJson("/embeddings", body);
        answer.error(400);
        assertThat(answer.text()).doesNotContain("\u0000").doesNotContain("\r\n").doesNotContain("Exception");
    }

    @Test
    void anInputOverTheContextAndTooManyInputsAreRefused() throws Exception {
        String huge = "word ".repeat(10_000);
        JsonNode error = emulator.postJson("/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":[\"ok\",\"" + huge + "\"]}")
                .error(400);
        assertThat(error.path("message").asText()).contains("input[1]").contains("8192");
        String large = "\"" + "word ".repeat(6000) + "\"";
        JsonNode perRequest = emulator.postJson("/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":["
                + (large + ",").repeat(49) + large + "]}").error(400);
        assertThat(perRequest.path("code").asText()).isEqualTo("max_tokens_per_request");
        String many = "\"x\",".repeat(2048) + "\"x\"";
        emulator.postJson("/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":[" + many + "]}").error(400);
    }

    static double norm(List<Float> vector) {
        double sum = 0;
        for (float v : vector) sum += v * v;
        return Math.sqrt(sum);
    }

    static double cosine(List<Float> a, List<Float> b) {
        double dot = 0;
        for (int i = 0; i < a.size(); i++) dot += a.get(i) * b.get(i);
        return dot / (norm(a) * norm(b));
    }
}
