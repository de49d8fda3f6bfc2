package io.webhookdispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageTest {
  private static final UUID ID = UUID.randomUUID();

  @ParameterizedTest
  @ValueSource(strings = {"payment.created", "transaction.updated", "a", "A-Z_0.9"})
  void event_type_accepts_valid_names(String eventType) {
    Message message = Message.of(eventType, ID, "Payment", Map.of());

    assertThat(message.eventType()).isEqualTo(eventType);
  }

  @Test
  void event_type_of_256_characters_is_accepted() {
    String eventType = "x".repeat(256);

    Message message = Message.of(eventType, ID, "Payment", Map.of());

    assertThat(message.eventType()).isEqualTo(eventType);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "payment created", "payment/created", "paiement.créé"})
  void event_type_rejects_invalid_names(String eventType) {
    InvalidInputException failure =
        catchThrowableOfType(
            InvalidInputException.class, () -> Message.of(eventType, ID, "Payment", Map.of()));

    assertThat(failure.field()).isEqualTo("event_type");
    assertThat(failure).hasMessageContaining("'" + eventType + "'");
  }

  @Test
  void event_type_longer_than_256_is_rejected() {
    InvalidInputException failure =
        catchThrowableOfType(
            InvalidInputException.class,
            () -> Message.of("x".repeat(257), ID, "Payment", Map.of()));

    assertThat(failure.field()).isEqualTo("event_type");
  }

  @Test
  void missing_object_id_names_field() {
    InvalidInputException failure =
        catchThrowableOfType(
            InvalidInputException.class, () -> Message.of("payment.created", null, "Payment", Map.of()));

    assertThat(failure.field()).isEqualTo("object_id");
  }

  @Test
  void blank_object_type_names_field() {
    InvalidInputException failure =
        catchThrowableOfType(
            InvalidInputException.class, () -> Message.of("payment.created", ID, " ", Map.of()));

    assertThat(failure.field()).isEqualTo("object_type");
  }

  @Test
  void missing_object_names_field() {
    InvalidInputException failure =
        catchThrowableOfType(
            InvalidInputException.class, () -> Message.of("payment.created", ID, "Payment", null));

    assertThat(failure.field()).isEqualTo("object");
  }

  @Test
  void to_string_omits_object() {
    Message message =
        Message.of("payment.created", ID, "Payment", Map.of("card", "planted-payload-9313"));

    assertThat(message.toString()).doesNotContain("planted-payload-9313");
  }
}
