package dev.switchboard.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventTypeTest {
    @Test
    void readsTheTopLevelTypeWhereverItStands() {
        assertThat(EventType.of("{\"type\":\"response.done\",\"response\":{\"type\":\"x\"}}")).isEqualTo("response.done");
        assertThat(EventType.of("{\"event_id\":\"e\",\"item\":{\"type\":\"message\"},\"type\" : \"conversation.item.done\"}"))
                .isEqualTo("conversation.item.done");
        assertThat(EventType.of("{\"delta\":\"say \\\"type\\\":\\\"fake\\\"\",\"type\":\"response.output_text.delta\"}"))
                .isEqualTo("response.output_text.delta");
        assertThat(EventType.of("{\"list\":[{\"type\":\"a\"}],\"type\":\"b\"}")).isEqualTo("b");
    }

    @Test
    void nullWhenThereIsNone() {
        assertThat(EventType.of("{\"item\":{\"type\":\"message\"}}")).isNull();
        assertThat(EventType.of("not json")).isNull();
        assertThat(EventType.of("{\"type\":42}")).isNull();
        assertThat(EventType.of("{\"type\":\"unterminated")).isNull();
    }
}
