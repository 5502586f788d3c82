package io.braid.common.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * How Braid reads its YAML config files ({@code node.yaml}, {@code host.yaml}): strictly — an
 * unknown field, a duplicate key, a float where a whole number belongs or trailing content is an
 * error — and every error is one line that names the file and the field path
 * ({@code volumes[0].size: "12X" is not ...}), never a stack trace.
 */
public final class StrictYaml {
    /** Largest config file read; anything bigger is not a config file. */
    public static final long MAX_FILE_SIZE = 1 << 20;

    /** The strict mapper. Thread-safe. */
    public static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private StrictYaml() {
    }

    /**
     * Reads a config file's text.
     *
     * @throws IOException with a one-line message naming the file: missing, unreadable or
     *                     larger than {@link #MAX_FILE_SIZE}
     */
    public static String readFile(Path file) throws IOException {
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new IOException(file + ": file is larger than 1 MiB");
            }
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + ": no such file");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                throw e;
            }
            throw new IOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** One line for a parse or mapping error: {@code source: where: what}. */
    public static String describe(String source, JacksonException e, String topLevel) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException y && y.getProblemMark() != null) {
                return source + ": line " + (y.getProblemMark().getLine() + 1) + ", column "
                        + (y.getProblemMark().getColumn() + 1) + ": " + firstLine(y.getProblem())
                        + " (YAML syntax)";
            }
        }
        if (e instanceof MismatchedInputException m && m.getPath().isEmpty()
                && String.valueOf(m.getOriginalMessage()).startsWith("No content")) {
            return source + ": file is empty";
        }
        if (e instanceof UnrecognizedPropertyException u) {
            Set<String> known = new TreeSet<>();
            Collection<Object> ids = u.getKnownPropertyIds();
            if (ids != null) {
                ids.forEach(id -> known.add(String.valueOf(id)));
            }
            return source + ": " + path(u) + ": unknown field"
                    + (known.isEmpty() ? "" : " (expected one of: " + String.join(", ", known) + ")");
        }
        if (e instanceof InvalidFormatException f) {
            return source + ": " + path(f) + ": \"" + f.getValue() + "\" is not " + expected(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m) {
            String where = path(m);
            if (where.isEmpty()) {
                return source + ": expected a mapping of settings (" + topLevel + ") at the top level";
            }
            return source + ": " + where + ": expected " + expected(m.getTargetType());
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return source + ": " + path(m) + ": " + firstLine(m.getOriginalMessage());
        }
        JsonLocation loc = e.getLocation();
        String at = loc == null || loc.getLineNr() < 1 ? ""
                : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
        return source + ": " + at + firstLine(e.getOriginalMessage());
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String expected(Type type) {
        Class<?> c = type instanceof Class<?> k ? k
                : type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> k ? k
                : Object.class;
        if (c == Integer.class || c == int.class || c == Long.class || c == long.class) {
            return "a whole number";
        }
        if (c == Double.class || c == double.class) {
            return "a number";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "true or false";
        }
        if (c == String.class) {
            return "a single value (text)";
        }
        if (Collection.class.isAssignableFrom(c)) {
            return "a list";
        }
        return "a mapping of fields";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
