package dev.quantize.core.kernel;

import java.lang.reflect.InvocationTargetException;

/**
 * Chooses the GEMM inner loops once, at class initialisation: the Vector API implementation when the
 * jdk.incubator.vector module is in the boot layer (the JVM was started with
 * --add-modules jdk.incubator.vector) and its preferred vectors hold at least 8 floats; otherwise the
 * plain-Java one, which always works on Java 17. The choice is logged once at DEBUG level.
 */
final class GemmKernelsProvider {
    private static final System.Logger LOG = System.getLogger(GemmKernelsProvider.class.getName());
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_CLASS = "dev.quantize.core.kernel.VectorGemmKernels";

    private static final GemmKernels CHOSEN = choose();

    private GemmKernelsProvider() {
    }

    static GemmKernels chosen() {
        return CHOSEN;
    }

    static GemmKernels scalar() {
        return new ScalarGemmKernels();
    }

    /** The Vector API implementation, or null when the module is absent from the boot layer. */
    static GemmKernels vectorOrNull() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return null;
        }
        try {
            Class<?> cls = Class.forName(VECTOR_CLASS);
            return (GemmKernels) cls.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException
                 | IllegalAccessException | InvocationTargetException e) {
            // The module is present, so this is a packaging bug: fail loudly rather than run slowly unnoticed.
            throw new IllegalStateException("cannot load " + VECTOR_CLASS + " although " + VECTOR_MODULE
                    + " is present", e);
        }
    }

    private static GemmKernels choose() {
        GemmKernels vector = vectorOrNull();
        GemmKernels result = vector != null && vector.nr() >= 3 * 8 ? vector : scalar();
        LOG.log(System.Logger.Level.DEBUG, "GEMM kernels: {0}", result.name());
        return result;
    }
}
