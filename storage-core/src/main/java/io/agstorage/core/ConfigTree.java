package io.agstorage.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A YAML configuration file parsed once into sections of scalar keys, and the matching
 * {@code AG_STORAGE_<SECTION>_<KEY>} environment overrides. {@link StorageConfig} binds its sections from it
 * ({@link StorageConfig.Builder#tree}); a component that adds its own section to the same file (the OTLP
 * receiver's {@code receiver:}) reads that section with {@link #keys} and hands the rest on with {@link #without}.
 */
public final class ConfigTree {

    /** The prefix of every environment override: {@code AG_STORAGE_<SECTION>_<KEY>}. */
    public static final String ENV_PREFIX = "AG_STORAGE_";

    private static final ConfigTree EMPTY = new ConfigTree(Map.of());

    private final Map<String, JsonNode> sections;

    private ConfigTree(Map<String, JsonNode> sections) {
        this.sections = sections;
    }

    /** A tree without sections: every key keeps its default. */
    public static ConfigTree empty() {
        return EMPTY;
    }

    /**
     * Parses YAML text; empty text is an empty tree.
     *
     * @throws IllegalArgumentException when the text is not YAML, or not a mapping of sections
     */
    public static ConfigTree parse(String yaml) {
        Objects.requireNonNull(yaml, "yaml");
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("configuration is not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return EMPTY;
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(
                    "configuration must be a YAML mapping of sections, was " + root.getNodeType());
        }
        Map<String, JsonNode> sections = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sections.put(e.getKey(), e.getValue());
        }
        return new ConfigTree(Collections.unmodifiableMap(sections));
    }

    /**
     * Reads and parses a YAML file.
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    public static ConfigTree read(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file " + file, e);
        }
    }

    /** The section names, in file order. */
    public Set<String> sections() {
        return sections.keySet();
    }

    /** Whether the section is present and a mapping of keys (not a scalar, a list or null). */
    public boolean isMapping(String section) {
        JsonNode node = sections.get(section);
        return node != null && node.isObject();
    }

    /** This tree without one section: what is left for the next binder. */
    public ConfigTree without(String section) {
        if (!sections.containsKey(section)) {
            return this;
        }
        Map<String, JsonNode> rest = new LinkedHashMap<>(sections);
        rest.remove(section);
        return new ConfigTree(Collections.unmodifiableMap(rest));
    }

    /**
     * The keys of one section as text, in file order; a YAML {@code null} value maps to {@code null}. An absent
     * or {@code null} section has no keys.
     *
     * @throws IllegalArgumentException when the section is not a mapping, or a value is not a scalar
     */
    public Map<String, @Nullable String> keys(String section) {
        JsonNode node = sections.get(section);
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(section + " must be a mapping of keys, was " + node.getNodeType());
        }
        Map<String, @Nullable String> keys = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            if (!value.isValueNode()) {
                throw new IllegalArgumentException(
                        section + "." + e.getKey() + " must be a scalar value, was " + value);
            }
            keys.put(e.getKey(), value.isNull() ? null : value.asText());
        }
        return keys;
    }

    /**
     * The overrides of one section in an environment: {@code AG_STORAGE_<SECTION>_<KEY>=value} as
     * {@code key → value}, the key lower-cased (so {@code AG_STORAGE_RECEIVER_HTTP_PORT} is {@code http_port}).
     */
    public static Map<String, String> environment(String section, Map<String, String> env) {
        String prefix = ENV_PREFIX + section.toUpperCase(Locale.ROOT) + "_";
        Map<String, String> keys = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                keys.put(name.substring(prefix.length()).toLowerCase(Locale.ROOT), value);
            }
        });
        return keys;
    }

    @Override
    public String toString() {
        return "ConfigTree" + sections.keySet();
    }
}
