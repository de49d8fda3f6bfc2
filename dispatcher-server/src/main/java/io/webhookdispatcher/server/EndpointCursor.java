package io.webhookdispatcher.server;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;

/**
 * The opaque cursor of an endpoint listing: the last endpoint id of a page as 16 bytes in
 * unpadded base64url, 22 characters. Clients pass it back as {@code after} and never parse it.
 */
final class EndpointCursor {
  private static final int ENCODED_LENGTH = 22;

  private EndpointCursor() {}

  static String encode(UUID lastId) {
    ByteBuffer bytes = ByteBuffer.allocate(16);
    bytes.putLong(lastId.getMostSignificantBits()).putLong(lastId.getLeastSignificantBits());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  /**
   * Returns the id that a cursor carries.
   *
   * @throws ApiException naming the cursor when it is not one that {@link #encode} returned
   */
  static UUID decode(String cursor) {
    byte[] bytes = null;
    if (cursor.length() == ENCODED_LENGTH) {
      try {
        bytes = Base64.getUrlDecoder().decode(cursor);
      } catch (IllegalArgumentException e) {
        bytes = null;
      }
    }
    if (bytes == null || bytes.length != 16 || !encode(toUuid(bytes)).equals(cursor)) {
      throw ApiException.badRequest(
          "after '"
              + RequestJson.quote(cursor)
              + "' is not a valid cursor: pass the next_cursor of the previous page, or leave"
              + " after out for the first page");
    }
    return toUuid(bytes);
  }

  private static UUID toUuid(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    return new UUID(buffer.getLong(), buffer.getLong());
  }
}
