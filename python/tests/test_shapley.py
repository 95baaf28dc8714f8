"""Shapley values on games whose values are known."""

import random
import unittest

import support  # noqa: F401  (puts the package on the path)
from yuma_subnet.shapley import WALKS, exact, sampled, shapley


def facts(known):
    """A game where player i knows the facts (bits of 32) in ``known[i]`` and a coalition is
    worth the share of the 32 facts its members know between them."""

    def value(members):
        union = 0
        for m in members:
            union |= known[m]
        return bin(union).count("1") / 32

    return value


def same_facts(known):
    return lambda i, j: known[i] == known[j]


class Exact(unittest.TestCase):
    def test_known_values(self):
        # A knows 16 facts, B 8 others: each earns its own.
        self.assertEqual(exact(2, facts([0xFFFF, 0xFF0000])).values, [0.5, 0.25])
        # A and B share 8 facts and each has 8 of its own: the shared 8 are split.
        self.assertEqual(exact(2, facts([0x0000FFFF, 0x00FFFF00])).values, [0.375, 0.375])
        # Values add up to the whole coalition's.
        known = [0xF, 0xF0, 0xFF, 0xFF00, 0xFFFF0000]
        self.assertAlmostEqual(sum(exact(5, facts(known)).values), 1.0, places=12)

    def test_k_copies_earn_together_what_one_earns_alone(self):
        # A and B share 8 facts, A knows 8 more; without merging, A's copies would take a
        # share of what A and B have in common each.
        alone = shapley(2, facts([0xFFFF, 0xFF00]), same_facts([0xFFFF, 0xFF00]), 1).values
        self.assertEqual(alone, [0.375, 0.125])
        for k in (2, 3, 5):
            known = [0xFFFF, 0xFF00] + [0xFFFF] * (k - 1)
            values = shapley(len(known), facts(known), same_facts(known), 1).values
            copies = [v for i, v in enumerate(values) if i != 1]
            self.assertAlmostEqual(sum(copies), 0.375, places=12)
            self.assertTrue(all(abs(v - 0.375 / k) < 1e-12 for v in copies), values)
            self.assertAlmostEqual(values[1], 0.125, places=12)

    def test_copies_are_grouped_transitively(self):
        # 0 ~ 1 and 1 ~ 2 but not 0 ~ 2: still one player.
        near = {(0, 1), (1, 2)}
        values = shapley(3, facts([0xFF, 0xFF, 0xFF]), lambda i, j: (i, j) in near, 1).values
        self.assertEqual(values, [0.25 / 3] * 3)


class Sampled(unittest.TestCase):
    # Twelve players, each knowing 8 of the 32 facts drawn at random: they overlap, so the
    # order of joining matters, and no two know the same facts.
    KNOWN = [sum(1 << b for b in random.Random(i).sample(range(32), 8)) for i in range(12)]

    def test_the_game_has_twelve_distinct_players(self):
        self.assertEqual(len(set(self.KNOWN)), 12)

    def test_sampled_values_are_within_a_few_standard_errors_of_the_exact_ones(self):
        value = facts(self.KNOWN)
        truth = exact(12, value).values
        estimate = sampled(12, value, WALKS, 7)
        self.assertTrue(all(se > 0 for se in estimate.standard_error), estimate)
        for i, (e, t, se) in enumerate(zip(estimate.values, truth, estimate.standard_error)):
            self.assertLessEqual(abs(e - t), 4 * se + 1e-9, f"player {i}")
        # Every walk adds up to the whole coalition's value.
        self.assertAlmostEqual(sum(estimate.values), value(tuple(range(12))), places=9)

    def test_more_than_ten_players_are_sampled_from_the_seed(self):
        value, same = facts(self.KNOWN), same_facts(self.KNOWN)
        first = shapley(12, value, same, 3)
        self.assertEqual(first, shapley(12, value, same, 3))
        self.assertNotEqual(first.values, shapley(12, value, same, 4).values)
        self.assertTrue(all(se > 0 for se in first.standard_error))

    def test_an_additive_game_is_valued_exactly_by_every_order(self):
        known = [1 << i for i in range(12)]
        estimate = shapley(12, facts(known), same_facts(known), 1)
        for v, se in zip(estimate.values, estimate.standard_error):
            self.assertAlmostEqual(v, 1 / 32, places=12)
            self.assertLess(se, 1e-9)

    def test_no_players(self):
        self.assertEqual(shapley(0, facts([]), same_facts([]), 1).values, [])


if __name__ == "__main__":
    unittest.main()
