package org.llamapro.notebook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;

/**
 * A Java Jupyter kernel: JShell executing in this JVM ("local" engine), so notebooks see the
 * project's classes on the kernel's classpath. Built on JJava's protocol library ({@code
 * org.dflib.jjava:jjava-jupyter}); JJava's own JShell kernel is published only as a GitHub release,
 * which cannot be installed offline.
 *
 * <p>Kernelspec argv: {@code java -cp CLASSPATH org.llamapro.notebook.NotebookKernel
 * {connection_file}}.
 */
public final class NotebookKernel extends BaseKernel {
  private final JShell shell;

  private NotebookKernel(Parts parts, JShell shell) {
    super(
        parts.name(),
        parts.version(),
        new LanguageInfo.Builder("Java")
            .version(Runtime.version().toString())
            .mimetype("text/x-java-source")
            .fileExtension(".jshell")
            .pygments("java")
            .codemirror("java")
            .build(),
        List.of(),
        parts.history(),
        parts.io(),
        parts.comms(),
        parts.renderer(),
        parts.magicParser(),
        parts.magics(),
        false,
        parts.errorStyler());
    this.shell = shell;
  }

  /** What BaseKernel needs, made by its builder's defaults. */
  private record Parts(
      String name,
      String version,
      org.dflib.jjava.jupyter.kernel.history.HistoryManager history,
      org.dflib.jjava.jupyter.kernel.JupyterIO io,
      org.dflib.jjava.jupyter.kernel.comm.CommManager comms,
      org.dflib.jjava.jupyter.kernel.display.Renderer renderer,
      MagicParser magicParser,
      org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry magics,
      org.dflib.jjava.jupyter.kernel.util.StringStyler errorStyler) {}

  /** The JShell that evaluates cells: local execution, this JVM's classpath for compiling. */
  static JShell newShell() {
    return JShell.builder()
        .executionEngine("local")
        .compilerOptions("--class-path", System.getProperty("java.class.path"))
        .build();
  }

  /** Evaluates a cell snippet by snippet; returns the value of a trailing expression, if any. */
  @Override
  public Object evalRaw(String code) {
    String remaining = code;
    String value = null;
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    while (!remaining.isBlank()) {
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
      if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
        break;
      }
      if (!info.completeness().isComplete()) {
        throw new IllegalArgumentException("Incomplete code: " + remaining.strip());
      }
      remaining = info.remaining();
      value = null;
      for (SnippetEvent event : shell.eval(info.source())) {
        if (event.exception() != null) {
          throw asRuntimeException(event.exception());
        }
        if (event.status() == Snippet.Status.REJECTED) {
          String diagnostics =
              shell
                  .diagnostics(event.snippet())
                  .map(d -> d.getMessage(Locale.ROOT))
                  .collect(Collectors.joining("; "));
          throw new IllegalArgumentException(
              "Does not compile: " + diagnostics + "\n  in: " + info.source().strip());
        }
        if (event.causeSnippet() == null
            && event.value() != null
            && (event.snippet().kind() == Snippet.Kind.EXPRESSION
                || event.snippet().subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND)) {
          value = event.value();
        }
      }
    }
    return value;
  }

  private static RuntimeException asRuntimeException(JShellException exception) {
    String type =
        exception instanceof EvalException eval
            ? eval.getExceptionClassName()
            : exception.getClass().getName();
    RuntimeException out = new RuntimeException(type + ": " + exception.getMessage());
    out.setStackTrace(exception.getStackTrace());
    return out;
  }

  @Override
  public DisplayData inspect(String code, int at, boolean extraDetail) {
    return null;
  }

  @Override
  public ReplacementOptions complete(String code, int at) {
    int[] anchor = new int[1];
    List<SourceCodeAnalysis.Suggestion> suggestions =
        shell.sourceCodeAnalysis().completionSuggestions(code, at, anchor);
    return new ReplacementOptions(
        suggestions.stream().map(SourceCodeAnalysis.Suggestion::continuation).toList(),
        anchor[0],
        at);
  }

  @Override
  public String isComplete(String code) {
    SourceCodeAnalysis.Completeness completeness =
        shell.sourceCodeAnalysis().analyzeCompletion(code).completeness();
    return completeness.isComplete() || completeness == SourceCodeAnalysis.Completeness.EMPTY
        ? IS_COMPLETE_YES
        : IS_COMPLETE_MAYBE;
  }

  @Override
  public void onShutdown(boolean isRestarting) {
    shell.close();
    super.onShutdown(isRestarting);
  }

  /** Used only to reach the builder's protected defaults. */
  private static final class Builder extends BaseKernelBuilder<Builder, NotebookKernel> {
    @Override
    public NotebookKernel build() {
      Parts parts =
          new Parts(
              buildName(),
              buildVersion(),
              buildHistoryManager(),
              buildJupyterIO(buildJupyterIOEncoding()),
              buildCommManager(),
              buildRenderer(),
              new MagicParser("(?<=(?:^|=))\\s*%", "%%", buildMagicTranspiler()),
              buildMagicsRegistry(),
              buildErrorStyler());
      return new NotebookKernel(parts, newShell());
    }

    @Override
    protected String buildName() {
      return "llamapro-java";
    }

    @Override
    protected String buildVersion() {
      return "1";
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1 || !Files.isRegularFile(Path.of(args[0]))) {
      System.err.println("usage: NotebookKernel CONNECTION_FILE");
      System.exit(2);
    }
    KernelConnectionProperties connection =
        KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
    JupyterConnection jupyter = new JupyterConnection(connection);
    NotebookKernel kernel = new Builder().build();
    kernel.onStartup();
    kernel.becomeHandlerForConnection(jupyter);
    jupyter.connect();
    jupyter.waitUntilClose();
  }
}
