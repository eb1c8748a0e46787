/** The Spring Boot bot: ag-storage through its starter, configured by {@code application.properties} only. */
@NullMarked
package io.agstorage.examples.boot;

import org.jspecify.annotations.NullMarked;
