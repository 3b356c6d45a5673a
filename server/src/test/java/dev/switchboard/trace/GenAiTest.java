package dev.switchboard.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GenAiTest {
    @Test
    void operationsAreTheConventionsNames() {
        assertThat(GenAi.operation("/v1/chat/completions")).isEqualTo("chat");
        assertThat(GenAi.operation("/responses")).isEqualTo("chat");
        assertThat(GenAi.operation("/v1/completions")).isEqualTo("text_completion");
        assertThat(GenAi.operation("/v1/embeddings")).isEqualTo("embeddings");
        assertThat(GenAi.operation("/v1/responses/resp_1")).isNull();
        assertThat(GenAi.operation("/v1/realtime")).isNull();
    }

    @Test
    void spanNamesCarryNoIds() {
        assertThat(GenAi.template("/v1/responses/resp_68a1b2")).isEqualTo("/v1/responses/{id}");
        assertThat(GenAi.template("/v1/threads/thread_1/runs/run_2")).isEqualTo("/v1/threads/{id}/runs/{id}");
        assertThat(GenAi.template("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
    }
}
