package io.agstorage.otlp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesCacheTest {

    private final SeriesCache cache = new SeriesCache(100, 2);
    private final InstrumentationScope scope =
            InstrumentationScope.newBuilder().setName("s").build();

    private static KeyValue kv(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    private static KeyValue text(String key, String value) {
        return kv(key, AnyValue.newBuilder().setStringValue(value).build());
    }

    private SeriesCache.Key key(SeriesCache.Context context, String metric, KeyValue... attributes) {
        return new SeriesCache.Key(
                context, metric, "", SeriesCache.MONOTONIC_SUM, SeriesCache.flatten(List.of(attributes)));
    }

    @Test
    void theSameResourceAndScopeInAnotherRequestIsInternedToOneContext() {
        SeriesCache.Context first = cache.context(List.of(text("service.name", "a")), scope);
        SeriesCache.Context again = cache.context(
                List.of(text("service.name", "a")),
                InstrumentationScope.newBuilder().setName("s").build());
        SeriesCache.Context other = cache.context(List.of(text("service.name", "b")), scope);
        assertThat(again).isSameAs(first);
        assertThat(other).isNotSameAs(first);
    }

    @Test
    void keysOfEqualPointsFromSeparatelyParsedRequestsAreEqual() {
        SeriesCache.Context context = cache.context(List.of(text("service.name", "a")), scope);
        AnyValue list = AnyValue.newBuilder()
                .setArrayValue(
                        ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setIntValue(1)))
                .build();
        SeriesCache.Key a = key(
                context,
                "m",
                text("market", new String("m1".toCharArray())),
                kv("n", AnyValue.newBuilder().setIntValue(7).build()),
                kv("b", AnyValue.newBuilder().setBoolValue(true).build()),
                kv("l", list));
        SeriesCache.Key b = key(
                context,
                new String("m".toCharArray()),
                text("market", "m1"),
                kv("n", AnyValue.newBuilder().setIntValue(7).build()),
                kv("b", AnyValue.newBuilder().setBoolValue(true).build()),
                kv("l", list.toBuilder().build()));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }

    @Test
    void keysThatCouldNameDifferentSeriesDiffer() {
        SeriesCache.Context context = cache.context(List.of(text("service.name", "a")), scope);
        SeriesCache.Context otherContext = cache.context(List.of(text("service.name", "b")), scope);
        SeriesCache.Key base = key(context, "m", text("k", "1"));
        assertThat(base)
                .isNotEqualTo(key(
                        context,
                        "m",
                        kv("k", AnyValue.newBuilder().setIntValue(1).build())));
        assertThat(base).isNotEqualTo(key(context, "m", text("k", "2")));
        assertThat(base).isNotEqualTo(key(context, "m", text("k2", "1")));
        assertThat(base).isNotEqualTo(key(context, "m2", text("k", "1")));
        assertThat(base).isNotEqualTo(key(otherContext, "m", text("k", "1")));
        assertThat(base).isNotEqualTo(key(context, "m", text("k", "1"), text("j", "1")));
        assertThat(base)
                .isNotEqualTo(new SeriesCache.Key(
                        context, "m", "s", SeriesCache.MONOTONIC_SUM, SeriesCache.flatten(List.of(text("k", "1")))));
        assertThat(base)
                .isNotEqualTo(new SeriesCache.Key(
                        context, "m", "", SeriesCache.SUM, SeriesCache.flatten(List.of(text("k", "1")))));
        // Flattening must not let a key/value boundary shift: [a=bc] vs [ab=c].
        assertThat(key(context, "m", text("a", "bc"))).isNotEqualTo(key(context, "m", text("ab", "c")));
    }

    @Test
    void contextsAreBounded() {
        for (int i = 0; i < 50; i++) {
            cache.context(List.of(text("service.name", Integer.toString(i))), scope);
        }
        assertThat(cache.contexts()).isLessThanOrEqualTo(2);
    }

    @Test
    void keysOfAContextInternedAgainAfterEvictionDoNotMatchTheOldKeys() {
        // An evicted context is interned afresh: an equal but distinct instance, as another cache's would be.
        SeriesCache.Context old = cache.context(List.of(text("service.name", "a")), scope);
        SeriesCache.Context fresh = new SeriesCache(100, 2).context(List.of(text("service.name", "a")), scope);
        assertThat(fresh).isEqualTo(old).isNotSameAs(old);
        assertThat(key(fresh, "m", text("k", "v"))).isNotEqualTo(key(old, "m", text("k", "v")));
    }
}
