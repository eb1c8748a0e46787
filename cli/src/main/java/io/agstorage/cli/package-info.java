/**
 * The operator's command line: {@code ag-storage migrate | info | validate-config | retention | rollups | export |
 * receiver}.
 */
@NullMarked
package io.agstorage.cli;

import org.jspecify.annotations.NullMarked;
