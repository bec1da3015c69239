package org.jminifilter.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of one C structure of jmf_protocol.h: its size and every field's offset and size,
 * written by hand in {@link Layouts} (never generated from the C compiler's output, so that the
 * conformance test compares two independent statements of the contract).
 */
public final class Layout {
    /** One field: its C name, its offset from the start of the structure and its size in bytes. */
    public record Field(String name, int offset, int size) {
    }

    private final String name;
    private final int size;
    private final Map<String, Field> fields;

    private Layout(String name, int size, Map<String, Field> fields) {
        this.name = name;
        this.size = size;
        this.fields = Collections.unmodifiableMap(fields);
    }

    /** The C type name, for example {@code JMF_RULE}. */
    public String name() {
        return name;
    }

    /** sizeof the structure. */
    public int size() {
        return size;
    }

    /** The fields in declaration order. */
    public List<Field> fields() {
        return List.copyOf(fields.values());
    }

    /** The offset of {@code field}; fails for a field the structure does not have. */
    public int offset(String field) {
        Field f = fields.get(field);
        if (f == null) {
            throw new IllegalArgumentException(name + " has no field " + field);
        }
        return f.offset();
    }

    static Builder struct(String name) {
        return new Builder(name);
    }

    /**
     * Builds a layout field by field. Every structure of the header spells its padding out as
     * Reserved fields, so fields must follow each other without a gap and fill the size exactly;
     * the builder refuses anything else, which catches a typo in an offset here.
     */
    static final class Builder {
        private final String name;
        private final Map<String, Field> fields = new LinkedHashMap<>();
        private int next;

        private Builder(String name) {
            this.name = name;
        }

        Builder field(String field, int offset, int size) {
            if (offset != next) {
                throw new IllegalStateException(name + "." + field + " at " + offset + ", expected " + next);
            }
            fields.put(field, new Field(field, offset, size));
            next = offset + size;
            return this;
        }

        Layout size(int size) {
            if (size != next) {
                throw new IllegalStateException(name + " fields end at " + next + ", size is " + size);
            }
            return new Layout(name, size, new LinkedHashMap<>(fields));
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Field f : fields.values()) {
            parts.add(f.name() + "@" + f.offset());
        }
        return name + "(" + size + ")" + parts;
    }
}
