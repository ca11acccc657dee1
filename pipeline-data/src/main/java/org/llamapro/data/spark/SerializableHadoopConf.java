package org.llamapro.data.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * A copy of the driver's Hadoop configuration that tasks can carry, so that an executor opens
 * {@code s3a://} and {@code hdfs://} paths with the same settings as the driver. It may hold
 * credentials: never log it.
 */
public final class SerializableHadoopConf implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TreeMap<String, String> entries = new TreeMap<>();
  private transient Configuration configuration;

  public SerializableHadoopConf(Configuration configuration) {
    for (Map.Entry<String, String> entry : configuration) {
      entries.put(entry.getKey(), entry.getValue());
    }
  }

  /** The configuration, rebuilt once per deserialized copy. */
  public synchronized Configuration get() {
    if (configuration == null) {
      Configuration rebuilt = new Configuration(false);
      entries.forEach(rebuilt::set);
      configuration = rebuilt;
    }
    return configuration;
  }

  @Override
  public String toString() {
    return "SerializableHadoopConf(" + entries.size() + " entries)";
  }
}
