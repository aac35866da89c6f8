package dev.custos;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rules of DESIGN.md, one forbidden direction each. Features depend downward only:
 * app → databases → engines/policies → connectors/storage/settings/audit → catalog/api.
 */
@AnalyzeClasses(packages = "dev.custos", importOptions = ArchitectureTest.MainClassesOnly.class)
class ArchitectureTest {

    /**
     * ArchUnit's own DoNotIncludeTests recognises test classes only under {@code target/test-classes}; a build in
     * another directory ({@code -Dcustos.build.dir=...}) would check test code against the rules too.
     */
    static final class MainClassesOnly implements ImportOption {
        @Override
        public boolean includes(com.tngtech.archunit.core.importer.Location location) {
            return !location.contains("/test-classes/");
        }
    }

    @ArchTest
    static final ArchRule noCyclesBetweenFeatures = slices().matching("dev.custos.(*)..").should().beFreeOfCycles()
            .because("a cycle makes two features one, and neither can be changed or tested alone");

    @ArchTest
    static final ArchRule nothingDependsOnTheApp = noClasses().that().resideOutsideOfPackage("dev.custos.app..")
            .should().dependOnClassesThat().resideInAPackage("dev.custos.app..")
            .because("app is the top: it wires features together and no feature may reach up into it");

    @ArchTest
    static final ArchRule onlyTheAppStartsTheTools = noClasses().that()
            .resideOutsideOfPackages("dev.custos.app..", "dev.custos.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.custos.cli..")
            .because("the disaster tools sit beside the server, on top of the features; only the entry point chooses"
                    + " between them");

    @ArchTest
    static final ArchRule catalogIsTheBottom = noClasses().that().resideInAnyPackage("dev.custos.catalog..", "dev.custos.api..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.custos.engines..", "dev.custos.databases..",
                    "dev.custos.policies..", "dev.custos.connectors..", "dev.custos.storage..", "dev.custos.audit..",
                    "dev.custos.settings..", "dev.custos.app..")
            .because("catalog and api are the shared kernel every feature builds on");

    @ArchTest
    static final ArchRule auditCallsNoFeature = noClasses().that().resideInAPackage("dev.custos.audit..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.custos.engines..", "dev.custos.databases..",
                    "dev.custos.policies..", "dev.custos.connectors..", "dev.custos.storage..", "dev.custos.settings..")
            .because("every feature calls audit, so audit must call none of them");

    @ArchTest
    static final ArchRule connectorsKnowNoFeature = noClasses().that().resideInAPackage("dev.custos.connectors..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.custos.engines..", "dev.custos.databases..",
                    "dev.custos.policies..", "dev.custos.audit..", "dev.custos.settings..")
            .because("a connector speaks to one kind of database and knows nothing of how Custos configures it");

    @ArchTest
    static final ArchRule enginesAreBelowDatabases = noClasses().that().resideInAPackage("dev.custos.engines..")
            .should().dependOnClassesThat().resideInAPackage("dev.custos.databases..")
            .because("databases belong to engines; engines reach their databases through the EngineDatabases port");

    @ArchTest
    static final ArchRule policiesAreBelowDatabases = noClasses().that().resideInAPackage("dev.custos.policies..")
            .should().dependOnClassesThat().resideInAPackage("dev.custos.databases..")
            .because("policies reach the databases that use them through the PolicyUsage port");

    @ArchTest
    static final ArchRule connectorKindsAreIndependent = slices().matching("dev.custos.connectors.(*)..")
            .should().notDependOnEachOther()
            .because("each database kind is a plug-in; one must not need another");

    @ArchTest
    static final ArchRule storageKnowsOnlyBytes = noClasses().that().resideInAPackage("dev.custos.storage..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.custos.pipeline..", "dev.custos.engines..",
                    "dev.custos.databases..", "dev.custos.policies..", "dev.custos.backups..", "dev.custos.restores..",
                    "dev.custos.connectors..", "dev.custos.audit..", "dev.custos.settings..")
            .because("a store keeps bytes under names; what the bytes mean is the pipeline's and the backups' business");

    @ArchTest
    static final ArchRule pipelineKnowsNoFeature = noClasses().that().resideInAPackage("dev.custos.pipeline..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.custos.engines..", "dev.custos.databases..",
                    "dev.custos.policies..", "dev.custos.backups..", "dev.custos.restores..", "dev.custos.connectors..",
                    "dev.custos.settings..")
            .because("the pipeline moves any dump's bytes; which database they come from is the backups' concern");

    @ArchTest
    static final ArchRule schedulesDriveTheFeatures = noClasses().that().resideInAnyPackage("dev.custos.backups..",
                    "dev.custos.restores..", "dev.custos.databases..", "dev.custos.policies..", "dev.custos.settings..")
            .should().dependOnClassesThat().resideInAPackage("dev.custos.schedules..")
            .because("schedules queue backups and prune them by policy; the features they drive hear of a completed"
                    + " backup through an event, never by calling up");
}
