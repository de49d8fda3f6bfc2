package io.webhookdispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.Message;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private static final UUID OBJECT_ID = UUID.fromString("0b6f2a9c-3c1e-4e55-9b8e-2f4a7d1c5e60");

  private final MessageCodec codec = new MessageCodec(new ObjectMapper());

  @Test
  void serializes_four_fields_in_order() {
    Map<String, Object> payment = new LinkedHashMap<>();
    payment.put("amount", new BigDecimal("1999.90"));
    payment.put("currency", "EUR");
    payment.put("merchant", "Café Zürich");

    byte[] body = codec.serialize(Message.of("payment.created", OBJECT_ID, "Payment", payment));

    assertThat(new String(body, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"event_type\":\"payment.created\","
                + "\"object_id\":\"0b6f2a9c-3c1e-4e55-9b8e-2f4a7d1c5e60\","
                + "\"object_type\":\"Payment\","
                + "\"object\":{\"amount\":1999.90,\"currency\":\"EUR\",\"merchant\":\"Café Zürich\"}}");
  }

  @Test
  void object_that_is_an_array_is_rejected() {
    Message message = Message.of("payment.created", OBJECT_ID, "Payment", List.of(1, 2));

    assertThatThrownBy(() -> codec.serialize(message))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("object must be a JSON object, got array");
  }

  @Test
  void object_that_is_a_string_is_rejected() {
    Message message = Message.of("payment.created", OBJECT_ID, "Payment", "text");

    assertThatThrownBy(() -> codec.serialize(message))
        .isInstanceOf(InvalidInputException.class)
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo("object");
  }
}
