package org.cnnexplain.atlas;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The K strongest neurons of one channel seen so far, in {@link Neuron#STRONGEST_FIRST} order: a bounded
 * heap whose root is the weakest kept neuron, so a candidate costs one comparison unless it gets in.
 * Memory is K neurons, however many samples stream past.
 *
 * <pre>{@code
 * TopK top = new TopK(9);
 * top.offer(new Neuron(12, 3.5f, unit, 0, x, y, cls));
 * top.sorted();   // up to 9 neurons, strongest first
 * }</pre>
 */
final class TopK {

    private final int k;
    private final PriorityQueue<Neuron> heap;

    TopK(int k) {
        this.k = k;
        this.heap = new PriorityQueue<>(k + 1, Neuron.STRONGEST_FIRST.reversed());
    }

    /** Whether a neuron with this activation at this place would get in (saves making one that would not). */
    boolean admits(float activation, int unit, int sample, int x, int y) {
        if (heap.size() < k) {
            return true;
        }
        Neuron w = heap.peek();
        if (activation != w.activation()) {
            return activation > w.activation();
        }
        long[] mine = {unit, sample, y, x};
        long[] theirs = {w.unit(), w.sample(), w.y(), w.x()};
        return java.util.Arrays.compare(mine, theirs) < 0;
    }

    void offer(Neuron n) {
        if (heap.size() < k) {
            heap.add(n);
        } else if (Neuron.STRONGEST_FIRST.compare(n, heap.peek()) < 0) {
            heap.poll();
            heap.add(n);
        }
    }

    /** The kept neurons, strongest first. */
    List<Neuron> sorted() {
        List<Neuron> out = new ArrayList<>(heap);
        out.sort(Neuron.STRONGEST_FIRST);
        return out;
    }
}
