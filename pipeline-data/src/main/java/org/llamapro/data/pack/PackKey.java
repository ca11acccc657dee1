package org.llamapro.data.pack;

import java.io.Serializable;

/** Shuffle key of one document copy: its packing partition, then its seeded order. */
record PackKey(int partition, long order, String id, int copy)
    implements Comparable<PackKey>, Serializable {

  @Override
  public int compareTo(PackKey other) {
    int c = Integer.compare(partition, other.partition);
    if (c == 0) {
      c = Long.compare(order, other.order);
    }
    if (c == 0) {
      c = id.compareTo(other.id);
    }
    return c == 0 ? Integer.compare(copy, other.copy) : c;
  }
}
