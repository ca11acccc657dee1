package org.llamapro.data.pack;

import java.io.Serializable;
import org.llamapro.data.shards.ShardRow;

/**
 * A packed row as a Java bean, so that Spark's bean encoder writes the int arrays as primitive
 * arrays (no boxing per token, unlike {@code Row} objects). Renamed to {@code ShardSchema}'s column
 * names before writing.
 */
public final class ShardRowBean implements Serializable {
  private static final long serialVersionUID = 1L;

  private String split;
  private int unit;
  private long row;
  private int[] inputIds;
  private int numTokens;
  private int[] docStarts;
  private String[] docSources;
  private String[] docIds;
  private boolean firstContinues;

  public ShardRowBean() {}

  static ShardRowBean of(ShardRow row) {
    ShardRowBean bean = new ShardRowBean();
    bean.split = row.split();
    bean.unit = row.unit();
    bean.row = row.row();
    bean.inputIds = row.inputIds();
    bean.numTokens = row.numTokens();
    bean.docStarts = row.docStarts();
    bean.docSources = row.docSources().toArray(new String[0]);
    bean.docIds = row.docIds().toArray(new String[0]);
    bean.firstContinues = row.firstContinues();
    return bean;
  }

  public String getSplit() {
    return split;
  }

  public void setSplit(String split) {
    this.split = split;
  }

  public int getUnit() {
    return unit;
  }

  public void setUnit(int unit) {
    this.unit = unit;
  }

  public long getRow() {
    return row;
  }

  public void setRow(long row) {
    this.row = row;
  }

  public int[] getInputIds() {
    return inputIds;
  }

  public void setInputIds(int[] inputIds) {
    this.inputIds = inputIds;
  }

  public int getNumTokens() {
    return numTokens;
  }

  public void setNumTokens(int numTokens) {
    this.numTokens = numTokens;
  }

  public int[] getDocStarts() {
    return docStarts;
  }

  public void setDocStarts(int[] docStarts) {
    this.docStarts = docStarts;
  }

  public String[] getDocSources() {
    return docSources;
  }

  public void setDocSources(String[] docSources) {
    this.docSources = docSources;
  }

  public String[] getDocIds() {
    return docIds;
  }

  public void setDocIds(String[] docIds) {
    this.docIds = docIds;
  }

  public boolean isFirstContinues() {
    return firstContinues;
  }

  public void setFirstContinues(boolean firstContinues) {
    this.firstContinues = firstContinues;
  }
}
