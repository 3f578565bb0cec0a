package dev.quantize.core.kernel.lowp;

import java.lang.reflect.InvocationTargetException;

/**
 * Chooses {@link Int8Gemm}'s inner loops once: the Vector API ones when jdk.incubator.vector is in the boot
 * layer and vectors hold at least 8 floats, else the plain-Java ones (as the FP32 GEMM's provider does).
 */
final class Int8KernelsProvider {
    private static final System.Logger LOG = System.getLogger(Int8KernelsProvider.class.getName());
    private static final String VECTOR_CLASS = "dev.quantize.core.kernel.lowp.VectorInt8Kernels";
    private static final Int8Kernels CHOSEN = choose();

    private Int8KernelsProvider() {
    }

    static Int8Kernels chosen() {
        return CHOSEN;
    }

    static Int8Kernels scalar() {
        return new ScalarInt8Kernels();
    }

    /** The Vector API kernels, or null when the module is absent. */
    static Int8Kernels vectorOrNull() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (Int8Kernels) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException
                 | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot load " + VECTOR_CLASS + " although jdk.incubator.vector is present", e);
        }
    }

    private static Int8Kernels choose() {
        Int8Kernels vector = vectorOrNull();
        Int8Kernels result = vector != null && vector.nr() >= 3 * 8 ? vector : scalar();
        LOG.log(System.Logger.Level.DEBUG, "int8 GEMM kernels: {0}", result.name());
        return result;
    }
}
