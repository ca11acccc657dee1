package org.llamapro.data.pack;

import java.io.Serializable;

/** A tokenized document on its way to packing: its source and its ids (no BOS, no EOS). */
record PackDoc(String source, int[] ids) implements Serializable {}
