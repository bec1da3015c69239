package org.jminifilter.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class NotificationTest {

    @Test
    void theBodyIsACopyOfTheRemainingBytes() {
        ByteBuffer source = ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 4});
        source.position(1);

        Notification notification = new Notification(5, 56, source);
        source.put(1, (byte) 42);

        assertArrayEquals(new byte[] {1, 2, 3, 4}, notification.bodyBytes());
        assertEquals(1, source.position(), "the source is not consumed");
    }

    @Test
    void eachBodyViewIsReadOnlyLittleEndianAndIndependent() {
        Notification notification = new Notification(5, 56, ByteBuffer.wrap(new byte[] {1, 0, 0, 0}));

        ByteBuffer first = notification.body();
        assertEquals(1, first.getInt());
        ByteBuffer second = notification.body();

        assertEquals(ByteOrder.LITTLE_ENDIAN, second.order());
        assertEquals(0, second.position());
        assertTrue(second.isReadOnly());
    }

    @Test
    void aNegativeReplyLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Notification(1, -1, ByteBuffer.allocate(0)));
    }
}
