package dev.quantize.quantizer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Node;
import dev.quantize.core.tensor.Tensor;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpsetUpgradeTest {
    @Test
    void reduceAxesAttributeBecomesAnInputAtOpset18() {
        Node mean = new Node("ln/mean", "ReduceMean", List.of("x"), List.of("m"), List.of(Attribute.ofInts("axes", -1), Attribute.of("keepdims", 1L)));
        Map<String, Tensor> inits = new LinkedHashMap<>();
        Set<String> names = new HashSet<>(List.of("x", "m", "ln/mean_axes"));
        List<Node> out = OpsetUpgrade.upgrade(List.of(mean), 13, 19, inits, names);
        Node n = out.get(0);
        assertEquals("ln/mean", n.name());
        assertNull(n.attribute("axes"));
        assertEquals(1L, n.intAttr("keepdims", 0));
        assertEquals(List.of("x", "ln/mean_axes_1"), n.inputs(), "a taken name is not reused");
        assertArrayEquals(new long[] {-1}, inits.get("ln/mean_axes_1").longs());
        // below 18 nothing changes
        assertEquals(mean, OpsetUpgrade.upgrade(List.of(mean), 13, 17, new LinkedHashMap<>(), new HashSet<>()).get(0));
    }

    @Test
    void incompatibleChangesAreRefusedNamingTheNode() {
        Node squeeze = new Node("sq", "Squeeze", List.of("x"), List.of("y"), List.of(Attribute.ofInts("axes", 0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpsetUpgrade.upgrade(List.of(squeeze), 11, 13, new LinkedHashMap<>(), new HashSet<>()));
        assertTrue(e.getMessage().contains("'sq'") && e.getMessage().contains("opset 13"), e.getMessage());
        // from 13 on, Squeeze already has its new form
        assertEquals(squeeze, OpsetUpgrade.upgrade(List.of(squeeze), 13, 21, new LinkedHashMap<>(), new HashSet<>()).get(0));
        Node gn = new Node("gn", "GroupNormalization", List.of("x", "s", "b"), List.of("y"), List.of());
        assertThrows(IllegalArgumentException.class, () -> OpsetUpgrade.upgrade(List.of(gn), 18, 21, new LinkedHashMap<>(), new HashSet<>()));
    }
}
