package dev.quantize.core.format;

import java.lang.reflect.Constructor;

/**
 * Chooses, once, whether the Vector API kernels can run: only when the jdk.incubator.vector module
 * is in the boot layer (the launcher and the build add it). Everything works without it, slower.
 */
final class SimdSupport {
    static final boolean VECTOR_MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private SimdSupport() {
    }

    /** The Vector API MX kernel, or null when the module is absent or the kernel cannot load. */
    static SlabKernel vectorMxKernel(SlabKernel.MxParams p) {
        return load("VectorMxKernel", SlabKernel.MxParams.class, p);
    }

    /** The Vector API BDR kernel for m-bit magnitudes, or null. */
    static SlabKernel vectorBdrKernel(int mantissaBits, Rounding rounding) {
        return load("VectorBdrKernel", int[].class, new int[] {mantissaBits, rounding == Rounding.NEAREST_EVEN ? 1 : 0});
    }

    private static SlabKernel load(String simpleName, Class<?> paramType, Object param) {
        if (!VECTOR_MODULE) {
            return null;
        }
        try {
            Class<?> c = Class.forName("dev.quantize.core.format." + simpleName);
            Constructor<?> k = c.getDeclaredConstructor(paramType);
            return (SlabKernel) k.newInstance(param);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
