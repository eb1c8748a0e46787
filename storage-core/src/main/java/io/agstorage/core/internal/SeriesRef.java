package io.agstorage.core.internal;

import io.agstorage.core.MetricType;
import io.agstorage.core.json.LabelsJson;
import java.util.Map;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * One interned series (metric + sorted labels) and its database id, once the writer has resolved it.
 * Created once per series per JVM by {@link SeriesRegistry}; events carry this reference, never strings.
 */
public final class SeriesRef {

    private final String metric;
    private final SortedMap<String, String> labels;
    private final String labelsJson;
    private final MetricType type;
    private final @Nullable String unit;
    private final @Nullable String temporality;
    private volatile long id;

    SeriesRef(
            String metric,
            SortedMap<String, String> labels,
            MetricType type,
            @Nullable String unit,
            @Nullable String temporality) {
        this.metric = metric;
        this.labels = labels;
        this.labelsJson = LabelsJson.write(labels);
        this.type = type;
        this.unit = unit;
        this.temporality = temporality;
    }

    public String metric() {
        return metric;
    }

    public SortedMap<String, String> labels() {
        return labels;
    }

    public String labelsJson() {
        return labelsJson;
    }

    public MetricType type() {
        return type;
    }

    public @Nullable String unit() {
        return unit;
    }

    public @Nullable String temporality() {
        return temporality;
    }

    /** The database id, or 0 until the writer has resolved it. */
    public long id() {
        return id;
    }

    public void resolved(long id) {
        this.id = id;
    }

    @Override
    public String toString() {
        return metric + labelsString(labels);
    }

    static String labelsString(Map<String, String> labels) {
        return labels.isEmpty() ? "" : labels.toString();
    }
}
