"""Plain scalar versions of the chip allocation (engine.chip_alloc), written from the issue's
model with Python integers and loops, sharing no code with the engine."""
from fractions import Fraction
from itertools import product
from math import ceil


def scalar_allocate(tiles, steps, arrays):
    """Replicas: the least bottleneck T (tried from 1 upward), then the arrays left to the step
    saving the most cycles per array (ties: the earlier layer) while one fits."""
    T = 1
    while sum(ceil(s / T) * t for s, t in zip(steps, tiles)) > arrays:
        T += 1
    reps = [ceil(s / T) for s in steps]
    left = arrays - sum(r * t for r, t in zip(reps, tiles))
    while True:
        best = None
        for i, (s, t) in enumerate(zip(steps, tiles)):
            c = ceil(s / reps[i])
            if c == 1:
                continue
            r2 = reps[i] + 1
            while ceil(s / r2) == c:  # the fewest extra replicas that lower the cycles
                r2 += 1
            cost = (r2 - reps[i]) * t
            ratio = Fraction(c - ceil(s / r2), cost)
            if cost <= left and (best is None or ratio > best[0]):
                best = (ratio, i, r2, cost)
        if best is None:
            return reps
        _, i, r2, cost = best
        reps[i], left = r2, left - cost


def greedy_rule(tiles, steps, arrays):
    """The issue's rule: the next replica to the current bottleneck while arrays remain."""
    reps = [1] * len(tiles)
    left = arrays - sum(tiles)
    while True:
        cycles = [ceil(s / r) for s, r in zip(steps, reps)]
        b = cycles.index(max(cycles))
        if cycles[b] == 1 or tiles[b] > left:
            return reps
        reps[b] += 1
        left -= tiles[b]


def brute_bottleneck(tiles, steps, arrays):
    """The least max cycles over every replica vector (tiny cases only)."""
    best = None
    for reps in product(*(range(1, s + 1) for s in steps)):
        if sum(r * t for r, t in zip(reps, tiles)) <= arrays:
            m = max(ceil(s / r) for s, r in zip(steps, reps))
            best = m if best is None else min(best, m)
    return best
