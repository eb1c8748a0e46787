/** Internal to ag-storage: not API, may change in any release. */
@NullMarked
package io.agstorage.core.internal.query;

import org.jspecify.annotations.NullMarked;
