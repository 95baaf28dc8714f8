"""Shapley values of the game over one step's answers: what each answer adds to the quality
of the combined answer of all of them.

A player's Shapley value is its marginal contribution ``v(S + i) - v(S)`` averaged over
every order in which the players could join; the values add up to ``v(all)``. Here the
players are answers and ``v(S)`` is the quality of the coalition's combined answer (0 for
the empty coalition).

- Copies play as one. Players the game calls the same (transitively) are merged into one
  player whose value they share equally, so k copies of a model together earn what one
  would alone, instead of k shares of whatever they have in common with others.
- Up to ``EXACT_MAX`` distinct players the values are exact, from all 2^n coalitions.
- Above that they are estimated from ``WALKS`` orders drawn from a seed, in rounds: each
  round shuffles the players once and walks all n rotations of that order, so every player
  joins once at every position. The position (how many joined before) is what a marginal
  contribution depends on most, so fixing it removes most of the variance; the spread of
  the rounds' estimates gives the standard error. The cost is bounded whatever n is: about
  ``WALKS * n`` coalition values.

This follows the Rust ``yuma-shapley`` crate, so a task written here pays miners as the
built-in subnets do.
"""

import functools
import math
import random
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

#: Most distinct players valued exactly (2^10 coalitions).
EXACT_MAX = 10
#: Orders walked above ``EXACT_MAX`` players.
WALKS = 1024
#: Coalition values remembered while valuing one game (every coalition of 12 players).
CACHED = 4096

#: The value of a coalition, given its players in increasing order.
Value = Callable[[Tuple[int, ...]], float]
#: Whether two players are copies of each other.
Same = Callable[[int, int], bool]


@dataclass
class Estimate:
    """Each player's Shapley value and its standard error (0 when exact)."""

    values: List[float]
    standard_error: List[float]


def shapley(players: int, value: Value, same: Same, seed: int) -> Estimate:
    """Shapley values of the game ``value`` over ``players`` players, copies merged (see the
    module doc). Exact up to ``EXACT_MAX`` distinct players, else sampled from ``seed``."""
    groups = copies(players, same)

    # Sampled orders revisit small coalitions often; the cache is bounded so that hundreds
    # of players do not fill memory with coalitions never seen twice.
    @functools.lru_cache(maxsize=CACHED)
    def merged(members: Tuple[int, ...]) -> float:
        return value(tuple(sorted(groups[g][0] for g in members)))

    if len(groups) <= EXACT_MAX:
        per_group = exact(len(groups), merged)
    else:
        per_group = sampled(len(groups), merged, WALKS, seed)
    values = [0.0] * players
    standard_error = [0.0] * players
    for g, members in enumerate(groups):
        for i in members:
            values[i] = per_group.values[g] / len(members)
            standard_error[i] = per_group.standard_error[g] / len(members)
    return Estimate(values, standard_error)


def copies(players: int, same: Same) -> List[List[int]]:
    """Players grouped by ``same``, transitively: each group in player order, the groups in
    the order of their first player."""
    root = list(range(players))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for i in range(players):
        for j in range(i + 1, players):
            ri, rj = find(i), find(j)
            if ri != rj and same(i, j):
                root[max(ri, rj)] = min(ri, rj)
    groups: Dict[int, List[int]] = {}
    for i in range(players):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def exact(players: int, value: Value) -> Estimate:
    """Exact Shapley values from every coalition's value: for ``k`` others before it, a
    player's marginal contribution weighs ``k! (n-k-1)! / n!``."""
    n = players
    worth = [0.0] * (1 << n)
    for mask in range(1, 1 << n):
        worth[mask] = value(tuple(i for i in range(n) if mask >> i & 1))
    weight = [1.0 / (n * math.comb(n - 1, k)) for k in range(n)]
    values = []
    for i in range(n):
        bit = 1 << i
        values.append(
            sum(
                weight[bin(mask).count("1")] * (worth[mask | bit] - worth[mask])
                for mask in range(1 << n)
                if not mask & bit
            )
        )
    return Estimate(values, [0.0] * n)


def sampled(players: int, value: Value, walks: int, seed: int) -> Estimate:
    """Shapley values estimated from about ``walks`` orders (at least two rounds of
    ``players`` rotations of a random order drawn from ``seed``)."""
    n = players
    if n == 0:
        return Estimate([], [])
    rounds = max(2, -(-walks // n))
    rng = random.Random(seed)
    order = list(range(n))
    total = [0.0] * n
    total_sq = [0.0] * n
    for _ in range(rounds):
        rng.shuffle(order)
        gained = [0.0] * n
        for start in range(n):
            members: List[int] = []
            before = 0.0
            for k in range(n):
                i = order[(start + k) % n]
                members.append(i)
                after = value(tuple(sorted(members)))
                gained[i] += after - before
                before = after
        for i in range(n):
            mean = gained[i] / n
            total[i] += mean
            total_sq[i] += mean * mean
    values = [t / rounds for t in total]
    standard_error = [
        math.sqrt(max(0.0, sq / rounds - m * m) * rounds / (rounds - 1) / rounds)
        for m, sq in zip(values, total_sq)
    ]
    return Estimate(values, standard_error)

