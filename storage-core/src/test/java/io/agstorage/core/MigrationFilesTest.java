package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.internal.schema.MigrationRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MigrationFilesTest {

    @Test
    void indexListsEveryMigrationFileInVersionOrder() throws IOException {
        List<String> files;
        try (Stream<Path> list = Files.list(Path.of("..", "sql"))) {
            files = list.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("V\\d{3}__.*\\.sql"))
                    .sorted()
                    .toList();
        }

        assertThat(MigrationRunner.migrations())
                .extracting(MigrationRunner.Migration::fileName)
                .containsExactlyElementsOf(files);
        assertThat(MigrationRunner.migrations())
                .extracting(MigrationRunner.Migration::version)
                .isSorted()
                .doesNotHaveDuplicates();
    }
}
