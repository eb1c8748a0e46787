package io.agstorage.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the layout drawn in DESIGN.md: no module reaches into another module's {@code internal} packages, and no
 * two packages depend on each other in a cycle. It lives here because this module's test classpath holds every
 * module's main classes; test classes are not imported.
 */
class ArchitectureTest {

    /** The root package of each module; the module's {@code internal} packages are any below it. */
    private static final List<String> MODULE_ROOTS = List.of(
            "io.agstorage.core",
            "io.agstorage.micrometer",
            "io.agstorage.otel",
            "io.agstorage.otlp",
            "io.agstorage.execution",
            "io.agstorage.spring.boot",
            "io.agstorage.examples");

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("io.agstorage");
    }

    @Test
    void theMainClassesOfEveryModuleOnTheClasspathAreImported() {
        // Guards the rules below against passing on an empty import (a module missing from this pom).
        for (String root : List.of(
                "io.agstorage.core",
                "io.agstorage.micrometer",
                "io.agstorage.otel",
                "io.agstorage.execution",
                "io.agstorage.spring.boot",
                "io.agstorage.examples")) {
            assertTrue(classes.containPackage(root), () -> "no main classes imported from " + root);
        }
    }

    @Test
    void noModuleUsesAnotherModulesInternalPackages() {
        for (String root : MODULE_ROOTS) {
            noClasses()
                    .that()
                    .resideOutsideOfPackage(root + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage(root + "..internal..")
                    .because("the internal packages of " + root + " are not API")
                    .check(classes);
        }
    }

    @Test
    void packagesAreFreeOfCycles() {
        SliceRule rule = slices().matching("io.agstorage.(**)").should().beFreeOfCycles();
        // A module's root package holds its facade (StorageEngine, ExecutionStore, OtlpReceiver, ...), which uses
        // the module's implementation packages, and the public value types those packages take and return
        // (MetricType, StorageConfig, Order, ...): those upward edges are the layout, not a cycle. Every other
        // cycle fails: between sibling packages, between modules, or from a root package into another module.
        // The same holds one level down: an API package (core.retention) and its own internal implementation
        // (core.retention.internal), which takes the API's public types.
        for (String root : MODULE_ROOTS) {
            rule = rule.ignoreDependency(
                    JavaClass.Predicates.resideInAPackage(root + ".*.."), JavaClass.Predicates.resideInAPackage(root));
        }
        for (String api : apiPackagesWithInternals()) {
            rule = rule.ignoreDependency(
                    JavaClass.Predicates.resideInAPackage(api + ".internal.."),
                    JavaClass.Predicates.resideInAPackage(api));
        }
        rule.check(classes);
    }

    /** Every package that has an {@code internal} package right below it, e.g. {@code io.agstorage.core.retention}. */
    private static Set<String> apiPackagesWithInternals() {
        Set<String> apis = new TreeSet<>();
        for (JavaClass c : classes) {
            String pkg = c.getPackageName();
            int at = pkg.indexOf(".internal");
            if (at > 0) {
                apis.add(pkg.substring(0, at));
            }
        }
        return apis;
    }
}
