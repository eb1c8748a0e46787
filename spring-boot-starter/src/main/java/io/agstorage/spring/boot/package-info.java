/**
 * Spring Boot auto-configuration of ag-storage: {@link io.agstorage.spring.boot.AgStorageAutoConfiguration} (the
 * {@code StorageEngine}, its retention scheduler, the {@code ExecutionStore}, the library's meter binders) from
 * {@code ag-storage.*}, and {@link io.agstorage.spring.boot.TimescaleMetricsExportAutoConfiguration} (the
 * {@code TimescaleMeterRegistry}) from {@code management.timescale.metrics.export.*}.
 */
@NullMarked
package io.agstorage.spring.boot;

import org.jspecify.annotations.NullMarked;
