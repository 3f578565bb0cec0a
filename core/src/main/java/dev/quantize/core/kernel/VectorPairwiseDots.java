package dev.quantize.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PairwiseDots}' lanes on the Vector API: LANES floats as one or more vectors, multiply then
 * add (never fused, to keep the plain loop's rounding). Loaded only when jdk.incubator.vector is present.
 */
final class VectorPairwiseDots implements PairwiseDots.Lanes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public void dots(float[] xt, int ra, int rb, int k, float[] acc) {
        for (int l = 0; l < PairwiseDots.LANES; l += L) {
            FloatVector s = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                int o = p * PairwiseDots.LANES + l;
                s = s.add(FloatVector.fromArray(S, xt, ra + o).mul(FloatVector.fromArray(S, xt, rb + o)));
            }
            s.intoArray(acc, l);
        }
    }
}
