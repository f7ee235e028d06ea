package io.capstan.cli;

import java.util.List;

/** A series drawn in one line of block characters, lowest to highest: {@code ▁▂▄█▇▅}. */
final class Sparkline {
    private static final char[] BLOCKS = {'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};

    private Sparkline() {}

    /** The last {@code width} values as blocks scaled between their minimum and maximum; empty for no values. */
    static String of(List<Double> values, int width) {
        List<Double> shown = values.subList(Math.max(0, values.size() - width), values.size());
        double min = shown.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = shown.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        StringBuilder line = new StringBuilder(shown.size());
        for (double value : shown) {
            int level = max == min
                    ? (max == 0 ? 0 : BLOCKS.length - 1)
                    : (int) Math.round((value - min) / (max - min) * (BLOCKS.length - 1));
            line.append(BLOCKS[level]);
        }
        return line.toString();
    }
}
