package org.llamapro.train.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where and in which precision the model computes: F32 on CPU, F16 on a GPU (DJL cannot hold
 * bfloat16). {@code auto} takes GPU 0 when libtorch sees one. Asking for a GPU that DJL cannot use
 * is an error, never a silent fall back to CPU.
 */
public record ComputeTarget(Device device, DataType dtype) {
  private static final Logger LOG = LoggerFactory.getLogger(ComputeTarget.class);

  public static ComputeTarget cpu() {
    return new ComputeTarget(Device.cpu(), DataType.FLOAT32);
  }

  /** {@code cpu}, {@code gpu}, {@code gpu:N} or {@code auto}; {@code dtype} f32, f16 or auto. */
  public static ComputeTarget resolve(String deviceSpec, String dtypeSpec) {
    String spec = deviceSpec == null ? "auto" : deviceSpec.trim().toLowerCase(Locale.ROOT);
    int gpus = Engine.getInstance().getGpuCount();
    Device device;
    if (spec.equals("auto")) {
      device = gpus > 0 ? Device.gpu(0) : Device.cpu();
    } else if (spec.equals("cpu")) {
      device = Device.cpu();
    } else if (spec.equals("gpu") || spec.startsWith("gpu:")) {
      int index = spec.equals("gpu") ? 0 : parseIndex(spec);
      if (index >= gpus) {
        throw new IllegalArgumentException(
            "Device "
                + deviceSpec
                + " was requested but libtorch sees "
                + gpus
                + " GPU(s) (engine "
                + Engine.getInstance().getEngineName()
                + " "
                + Engine.getInstance().getVersion()
                + "); is the CUDA build of libtorch on the classpath and the driver loaded?");
      }
      device = Device.gpu(index);
    } else {
      throw new IllegalArgumentException(
          "Invalid device: '" + deviceSpec + "' (expected cpu, gpu, gpu:N or auto)");
    }
    String d = dtypeSpec == null ? "auto" : dtypeSpec.trim().toLowerCase(Locale.ROOT);
    DataType dtype =
        switch (d) {
          case "auto" -> device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
          case "f32", "float32", "fp32" -> DataType.FLOAT32;
          case "f16", "float16", "fp16" -> DataType.FLOAT16;
          case "bf16", "bfloat16" ->
              throw new IllegalArgumentException(
                  "Invalid dtype: '" + dtypeSpec + "' (DJL cannot hold bfloat16; use f16 or f32)");
          default ->
              throw new IllegalArgumentException(
                  "Invalid dtype: '" + dtypeSpec + "' (expected f32, f16 or auto)");
        };
    return new ComputeTarget(device, dtype);
  }

  private static int parseIndex(String spec) {
    try {
      int index = Integer.parseInt(spec.substring(4));
      if (index < 0) {
        throw new NumberFormatException();
      }
      return index;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Invalid device: '" + spec + "' (expected gpu:N, N >= 0)", e);
    }
  }

  /** Logs the device and dtype actually in use (the job's record of where it ran). */
  public ComputeTarget logged(String what) {
    LOG.info(
        "{} computes on {} in {} (engine {} {})",
        what,
        device,
        dtype,
        Engine.getInstance().getEngineName(),
        Engine.getInstance().getVersion());
    return this;
  }
}
