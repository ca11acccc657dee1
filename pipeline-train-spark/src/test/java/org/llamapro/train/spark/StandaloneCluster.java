package org.llamapro.train.spark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A Spark standalone master and workers on loopback, started from this test JVM's classpath (a
 * SPARK_HOME whose {@code jars/} links every jar), each a separate JVM. Stops every process it
 * started, by pid.
 */
final class StandaloneCluster implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<Process> workers = new ArrayList<>();
  private final Path home;
  private final List<String> directories;
  private final String classpath;
  private final int port;

  private StandaloneCluster(Path home, List<String> directories, String classpath, int port) {
    this.home = home;
    this.directories = directories;
    this.classpath = classpath;
    this.port = port;
  }

  /** Starts a master and {@code workers} workers of one core each. */
  static StandaloneCluster start(Path dir, int workers) throws IOException, InterruptedException {
    List<Path> entries = classpathEntries();
    Path home = Files.createDirectories(dir.resolve("spark-home"));
    Files.createFile(home.resolve("RELEASE"));
    Path jars = Files.createDirectories(home.resolve("jars"));
    List<String> directories = new ArrayList<>();
    for (Path entry : entries) {
      if (Files.isDirectory(entry)) {
        directories.add(entry.toString());
      } else if (entry.toString().endsWith(".jar") && Files.exists(entry)) {
        Path link = jars.resolve(entry.getFileName());
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, entry);
        }
      }
    }
    String classpath = String.join(":", directories) + ":" + jars + "/*";
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    StandaloneCluster cluster = new StandaloneCluster(home, directories, classpath, port);
    try {
      cluster.processes.add(
          cluster.java(
              dir.resolve("master.log"),
              "org.apache.spark.deploy.master.Master",
              "--host",
              "127.0.0.1",
              "--port",
              Integer.toString(port),
              "--webui-port",
              "0"));
      // A loaded machine can take tens of seconds to start a JVM: wait for the log, not a clock.
      awaitLine(dir.resolve("master.log"), "I have been elected leader");
      for (int i = 0; i < workers; i++) {
        Process worker =
            cluster.java(
                dir.resolve("worker-" + i + ".log"),
                "org.apache.spark.deploy.worker.Worker",
                cluster.masterUrl(),
                "--cores",
                "1",
                "--memory",
                "1g",
                "--webui-port",
                "0",
                "--work-dir",
                Files.createDirectories(dir.resolve("work-" + i)).toString());
        cluster.processes.add(worker);
        cluster.workers.add(worker);
      }
      for (int i = 0; i < workers; i++) {
        awaitLine(dir.resolve("worker-" + i + ".log"), "Successfully registered with master");
      }
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static void awaitLine(Path log, String text) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("No '" + text + "' in " + log + " after 3 minutes");
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + port;
  }

  /**
   * The directories of the classpath (the project's classes), for spark.executor.extraClassPath.
   */
  String classDirectories() {
    return String.join(":", directories);
  }

  /** The JVM flags this JVM runs with that Spark needs (the --add-opens list). */
  static String sparkJvmFlags() {
    List<String> flags = new ArrayList<>();
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")
          || arg.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
          || arg.startsWith("-Djdk.reflect")
          || arg.startsWith("-Dio.netty")) {
        flags.add(arg);
      }
    }
    return String.join(" ", flags);
  }

  /** The executor JVMs running now (children of the workers this cluster started). */
  List<ProcessHandle> executors() {
    List<ProcessHandle> found = new ArrayList<>();
    for (Process worker : workers) {
      worker
          .toHandle()
          .descendants()
          .filter(
              p ->
                  p.info()
                      .commandLine()
                      .or(() -> p.info().arguments().map(a -> String.join(" ", a)))
                      .orElse("")
                      .contains("CoarseGrainedExecutorBackend"))
          .forEach(found::add);
    }
    return found;
  }

  private Process java(Path log, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    for (String flag : sparkJvmFlags().split(" ")) {
      if (!flag.isBlank()) {
        command.add(flag);
      }
    }
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("SPARK_HOME", home.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return builder.start();
  }

  @Override
  public void close() {
    // Workers first (their executors die with them), then the master; each by its own pid.
    List<Process> reversed = new ArrayList<>(processes);
    java.util.Collections.reverse(reversed);
    for (Process process : reversed) {
      List<ProcessHandle> children = process.toHandle().descendants().toList();
      process.destroy();
      children.forEach(ProcessHandle::destroy);
    }
    for (Process process : reversed) {
      try {
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    // Remove the links ourselves: JUnit warns about every link that points out of its temp dir.
    try (java.util.stream.Stream<Path> links = Files.list(home.resolve("jars"))) {
      for (Path link : links.toList()) {
        Files.deleteIfExists(link);
      }
    } catch (IOException e) {
      // Left for JUnit's clean-up.
    }
  }

  /** This JVM's classpath; under surefire's manifest-only jar, the jar's Class-Path. */
  private static List<Path> classpathEntries() throws IOException {
    List<Path> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Optional<List<Path>> manifest = manifestClasspath(Path.of(entry));
      if (manifest.isPresent()) {
        entries.addAll(manifest.get());
      } else {
        entries.add(Path.of(entry).toAbsolutePath());
      }
    }
    return entries;
  }

  private static Optional<List<Path>> manifestClasspath(Path jar) throws IOException {
    if (!jar.getFileName().toString().startsWith("surefire") || !Files.isRegularFile(jar)) {
      return Optional.empty();
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      String value = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
      if (value == null) {
        return Optional.empty();
      }
      List<Path> paths = new ArrayList<>();
      for (String url : value.trim().split("\\s+")) {
        paths.add(Path.of(jar.toUri().resolve(URI.create(url))));
      }
      return Optional.of(paths);
    }
  }
}
