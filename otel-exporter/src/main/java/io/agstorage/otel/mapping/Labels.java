package io.agstorage.otel.mapping;

import io.agstorage.core.json.LabelsJson;
import java.util.List;

/** How OTel attributes become ag-storage labels (see the {@code io.agstorage.otel} package documentation). */
public final class Labels {

    /** Prefix of resource attributes: {@code resource.service.name}. */
    public static final String RESOURCE_PREFIX = "resource.";
    /** Prefix of instrumentation scope attributes. */
    public static final String SCOPE_PREFIX = "scope.";

    /** Label of the instrumentation scope's name. */
    public static final String SCOPE_NAME = "scope.name";
    /** Label of the instrumentation scope's version. */
    public static final String SCOPE_VERSION = "scope.version";

    private Labels() {}

    /**
     * The label text of an SDK attribute value: strings verbatim, numbers and booleans as Java prints them, lists as
     * JSON.
     */
    public static String text(Object value) {
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                Object item = list.get(i);
                if (item instanceof String s) {
                    LabelsJson.appendString(sb, s);
                } else {
                    sb.append(item);
                }
            }
            return sb.append(']').toString();
        }
        return String.valueOf(value);
    }
}
