package org.llamapro.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rules of the module map (docs/development.md): each is checked on the compiled
 * main classes of every module, so a violating import fails the build instead of a review.
 */
@AnalyzeClasses(packages = "org.llamapro", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String[] COMMON = {
    "org.llamapro.config..",
    "org.llamapro.io..",
    "org.llamapro.hash..",
    "org.llamapro.shards..",
    "org.llamapro.tokenizer.."
  };

  private static final String[] MODEL_SIDE = {
    "org.llamapro.train.model..",
    "org.llamapro.train.checkpoint..",
    "org.llamapro.train.expand..",
    "org.llamapro.train.trainer..",
    "org.llamapro.train.allreduce.."
  };

  @ArchTest
  static final ArchRule commonNeedsNoSparkDeltaOrDjl =
      noClasses()
          .that()
          .resideInAnyPackage(COMMON)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.spark..", "io.delta..", "ai.djl..", "scala..")
          .because("every module depends on the common code, the model side included");

  @ArchTest
  static final ArchRule commonDependsOnNoPipelineModule =
      noClasses()
          .that()
          .resideInAnyPackage(COMMON)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.llamapro.data..",
              "org.llamapro.train..",
              "org.llamapro.eval..",
              "org.llamapro.cli..");

  @ArchTest
  static final ArchRule modelSideNeverImportsSpark =
      noClasses()
          .that()
          .resideInAnyPackage(MODEL_SIDE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.spark..", "io.delta..", "scala..")
          .because("the model, checkpoints, expansion, trainer and all-reduce run without Spark");

  @ArchTest
  static final ArchRule modelSideNeverImportsTheSparkJob =
      noClasses()
          .that()
          .resideInAnyPackage(MODEL_SIDE)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.llamapro.train.spark..");

  @ArchTest
  static final ArchRule dataNeverImportsTrainEvalOrCli =
      noClasses()
          .that()
          .resideInAPackage("org.llamapro.data..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.llamapro.train..", "org.llamapro.eval..", "org.llamapro.cli..");

  @ArchTest
  static final ArchRule trainNeverImportsDataEvalOrCli =
      noClasses()
          .that()
          .resideInAPackage("org.llamapro.train..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.llamapro.data..", "org.llamapro.eval..", "org.llamapro.cli..")
          .because("training reads shards through the common shard reader");

  @ArchTest
  static final ArchRule evalNeverImportsCli =
      noClasses()
          .that()
          .resideInAPackage("org.llamapro.eval..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.llamapro.cli..");

  @ArchTest
  static final ArchRule noPackageCycles =
      slices().matching("org.llamapro.(**)").should().beFreeOfCycles();
}
