package org.llamapro.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the build's version from the jar manifest. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = PipelineMain.class.getPackage().getImplementationVersion();
    return new String[] {"pipeline " + (version == null ? "(development build)" : version)};
  }
}
