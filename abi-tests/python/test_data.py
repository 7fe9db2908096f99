"""pace.data through the real ctypes load of build/lib/libpace.so: every
guarantee of the data-pacing contract (../shared/design/data-pacing.md,
docs/data.md), each compared with numpy / scipy / pace.Schedule rather than
with numbers typed in by hand.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pace
import pace.data
from pace.data import Sampler

BINDINGS = Path(__file__).resolve().parents[2] / "bindings" / "python"


def uniform(n=1000, batch=100, seed=3, **extra):
    return dict({"size": n, "global_batch": batch, "seed": seed, "policy": {"kind": "uniform"}}, **extra)


def stream(s, steps, start=0):
    """The concatenated global batches of steps start .. start+steps-1."""
    return np.concatenate([s.batch(t) for t in range(start, start + steps)])


# ---------------------------------------------------------------------------
# 1. A batch is a pure function


def test_two_samplers_give_the_same_batches():
    a, b = Sampler(uniform()), Sampler(uniform())
    for t in (0, 1, 7, 9, 10, 11, 123, 10**6, 2**40):
        assert np.array_equal(a.batch(t), b.batch(t))
    # queries do not change the sampler: the same step again, in another order
    assert np.array_equal(a.batch(7), b.batch(7))


def test_another_process_gives_the_same_batches():
    config = uniform(n=12345, batch=64, seed=99)
    steps = [0, 1, 192, 193, 5000, 2**30]
    code = ("import json, sys, pace.data; s = pace.data.Sampler(json.loads(sys.argv[1])); "
            "print(json.dumps([s.batch(t).tolist() for t in json.loads(sys.argv[2])]))")
    env = dict(os.environ, PYTHONPATH=str(BINDINGS))
    r = subprocess.run([sys.executable, "-c", code, json.dumps(config), json.dumps(steps)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    theirs = json.loads(r.stdout)
    s = Sampler(config)
    for t, batch in zip(steps, theirs):
        assert s.batch(t).tolist() == batch


def test_seed_changes_the_order():
    assert not np.array_equal(Sampler(uniform(seed=1)).batch(0), Sampler(uniform(seed=2)).batch(0))


# ---------------------------------------------------------------------------
# 2. One global order, any world size


@pytest.mark.parametrize("world", [1, 2, 3, 4, 6, 8, 12, 24])
def test_rank_slices_concatenate_to_the_global_batch(world):
    s = Sampler(uniform(n=997, batch=48))
    for t in (0, 5, 20, 21, 999):
        full = s.batch(t)
        parts = [s.batch(t, rank=r, world_size=world) for r in range(world)]
        assert all(len(p) == 48 // world for p in parts)
        assert np.array_equal(np.concatenate(parts), full)
        assert len(np.unique(full)) == len(full)  # B <= N: disjoint slices


# ---------------------------------------------------------------------------
# 3. Batch-size schedules


RAMP = [[0, 4], [10, 8], [25, 32], [40, 64]]


def test_first_offset_is_the_sum_of_earlier_batch_sizes():
    s = Sampler(uniform(n=500, batch=RAMP))
    sizes = np.array([s.global_batch_size(t) for t in range(60)])
    expected_sizes = np.select([np.arange(60) >= 40, np.arange(60) >= 25, np.arange(60) >= 10], [64, 32, 8], 4)
    assert np.array_equal(sizes, expected_sizes)
    offsets = np.array([s.first_offset(t) for t in range(60)])
    assert np.array_equal(offsets, np.concatenate([[0], np.cumsum(sizes)[:-1]]))
    assert s.first_offset(10**9) == s.first_offset(40) + (10**9 - 40) * 64


def test_ramp_up_neither_loses_nor_repeats_data():
    """The stream of samples is a function of the offset alone: with a
    ramp-up it is the same as with a constant batch size."""
    ramped = Sampler(uniform(n=500, batch=RAMP))
    constant = Sampler(uniform(n=500, batch=4))
    total = ramped.first_offset(50)
    a = stream(ramped, 50)
    assert len(a) == total
    assert np.array_equal(a, stream(constant, total // 4))
    assert np.array_equal(np.sort(a[:500]), np.arange(500))


# ---------------------------------------------------------------------------
# 4. Uniform epochs are keyed permutations


@pytest.mark.parametrize("n,batch", [(1000, 100), (1003, 64), (7, 7), (1, 1), (4096, 512), (100_000, 1000)])
def test_every_epoch_is_a_permutation_and_epochs_differ(n, batch):
    s = Sampler(uniform(n=n, batch=batch))
    epochs = 3
    steps = -(-epochs * n // batch)
    flat = stream(s, steps)[: epochs * n].reshape(epochs, n)
    for e in range(epochs):
        assert np.array_equal(np.sort(flat[e]), np.arange(n)), "epoch %d is not a permutation" % e
    if n > 6:
        assert not np.array_equal(flat[0], flat[1]) and not np.array_equal(flat[1], flat[2])


def test_uniform_order_is_not_the_identity_and_looks_shuffled():
    n = 10_000
    first = stream(Sampler(uniform(n=n, batch=1000)), 10)
    # Spearman correlation with the position: about 0 for a shuffle (sd 1/sqrt(n) = 0.01)
    assert abs(np.corrcoef(first, np.arange(n))[0, 1]) < 0.05
    # each position is equally likely to hold a low index: first half of the epoch holds ~half the low indices
    assert abs(np.mean(first[: n // 2] < n // 2) - 0.5) < 0.03


def test_a_billion_samples_cost_nothing_to_hold():
    n = 10**9
    s = Sampler(uniform(n=n, batch=4096))
    for t in (0, 1, n // 4096, 10**7, 2**44):
        b = s.batch(t)
        assert len(b) == 4096 and b.min() >= 0 and b.max() < n and len(np.unique(b)) == 4096


# ---------------------------------------------------------------------------
# 5. Competence: the eligible pool follows the pacing


def competence(n, pacing, c0=0.01, batch=16, **policy):
    return {"size": n, "global_batch": batch, "seed": 5,
            "policy": dict({"kind": "competence", "pacing": pacing, "c0": c0}, **policy)}


def test_competence_pool_follows_a_schedule_spec():
    n = 2000
    spec = {"total_steps": 500, "phases": [{"shape": "linear", "steps": 200, "from": 0.05, "to": 0.6},
                                          {"shape": "cosine", "steps": 300, "from": 0.6, "to": 1.0}]}
    difficulty = np.random.default_rng(1).random(n)
    s = Sampler(competence(n, spec, c0=0.1), scores=difficulty)
    ref = pace.Schedule(spec)
    steps = np.arange(0, 700, 7)
    c = np.clip(ref.values(0, 700)[steps], 0.1, 1.0)
    expected = np.ceil(c * n).astype(np.int64)
    assert [s.eligible(int(t)) for t in steps] == expected.tolist()


@pytest.mark.parametrize("shape", ["linear", "sqrt"])
def test_competence_platanios_curves(shape):
    n, total, c0 = 5000, 400, 0.01
    difficulty = np.random.default_rng(2).random(n)
    s = Sampler(competence(n, shape, c0=c0, total_steps=total), scores=difficulty)
    t = np.arange(0, 600, 3, dtype=np.float64)
    if shape == "linear":
        c = np.minimum(1.0, t * (1 - c0) / total + c0)
    else:
        c = np.minimum(1.0, np.sqrt(t * (1 - c0**2) / total + c0**2))
    got = np.array([s.eligible(int(x)) for x in t])
    assert np.abs(got - np.ceil(c * n)).max() <= 1  # rounding of c(t) * N at an exact integer


def test_competence_batches_come_from_the_easiest_prefix():
    n = 3000
    difficulty = np.random.default_rng(3).standard_normal(n)
    difficulty[::10] = 0.25  # ties: broken by index
    s = Sampler(competence(n, "linear", c0=0.02, total_steps=300, batch=32), scores=difficulty)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(difficulty, kind="stable")] = np.arange(n)
    seen = set()
    for t in range(0, 400, 5):
        b = s.batch(t)
        assert len(np.unique(b)) == len(b)
        assert rank[b].max() < s.eligible(t)
        seen.update(b.tolist())
    assert len(seen) > n // 2  # late batches reach the whole pool


# ---------------------------------------------------------------------------
# 6. Weighted (QuRating): sampling without replacement, p ∝ exp(z / tau)


def gumbel_top_k_frequencies(scores, tau, k, draws, rng):
    z = (scores - scores.mean()) / scores.std() / tau
    counts = np.zeros(len(scores))
    for _ in range(draws):
        counts[np.argpartition(-(z + rng.gumbel(size=len(scores))), k - 1)[:k]] += 1
    return counts / draws


def test_weighted_selection_matches_gumbel_top_k_marginals():
    n, k, tau, seeds = 24, 6, 0.7, 1500
    scores = np.linspace(-2.0, 3.0, n) ** 3 / 5
    counts = np.zeros(n)
    for seed in range(seeds):
        s = Sampler({"size": n, "global_batch": k, "seed": seed,
                     "policy": {"kind": "weighted", "temperature": tau, "budget": k}}, scores=scores)
        assert s.eligible(0) == k
        chosen = s.batch(0)
        assert len(np.unique(chosen)) == k
        counts[chosen] += 1
    ours = counts / seeds
    ref = gumbel_top_k_frequencies(scores, tau, k, 20000, np.random.default_rng(0))
    sd = np.sqrt(ref * (1 - ref) * (1 / seeds + 1 / 20000)) + 1e-3
    assert np.all(np.abs(ours - ref) < 4.5 * sd), np.c_[ours, ref]
    assert ours[-1] > ours[0]  # better ratings are chosen more often


def test_weighted_budget_fraction_and_epochs_of_the_subset():
    n = 1000
    ratings = np.random.default_rng(4).standard_normal(n)
    s = Sampler({"size": n, "global_batch": 50, "seed": 1,
                 "policy": {"kind": "weighted", "temperature": 2.0, "budget": 0.2}}, scores=ratings)
    k = s.eligible(0)
    assert k == 200
    flat = stream(s, 8)  # two epochs of the 200 chosen
    assert np.array_equal(np.sort(flat[:200]), np.sort(flat[200:]))
    assert len(np.unique(flat[:200])) == 200
    assert not np.array_equal(flat[:200], flat[200:])


def test_weighted_temperature_zero_is_top_k():
    n = 500
    ratings = np.random.default_rng(5).standard_normal(n)
    s = Sampler({"size": n, "global_batch": 25, "seed": 9,
                 "policy": {"kind": "weighted", "temperature": 0, "budget": 50}}, scores=ratings)
    assert np.array_equal(np.sort(stream(s, 2)), np.sort(np.argsort(-ratings, kind="stable")[:50]))


def test_weighted_per_domain_budgets_follow_domain_sizes():
    n = 1200
    rng = np.random.default_rng(6)
    domains = np.repeat(np.arange(3, dtype=np.int32), [600, 400, 200])
    ratings = rng.standard_normal(n) + domains  # domain 2 rates best
    s = Sampler({"size": n, "global_batch": 60, "seed": 2,
                 "policy": {"kind": "weighted", "temperature": 1.0, "budget": 0.25, "per_domain": True}},
                scores=ratings, domains=domains)
    chosen = stream(s, 5)  # 300 = the whole subset
    assert len(np.unique(chosen)) == 300
    assert np.bincount(domains[chosen], minlength=3).tolist() == [150, 100, 50]


# ---------------------------------------------------------------------------
# 7. Ordered


@pytest.mark.parametrize("descending", [False, True])
def test_ordered_is_a_stable_argsort(descending):
    n = 600
    scores = np.round(np.random.default_rng(7).standard_normal(n), 1)  # many ties
    s = Sampler({"size": n, "global_batch": 40, "seed": 0,
                 "policy": {"kind": "ordered", "descending": descending}}, scores=scores)
    key = -scores if descending else scores
    expected = np.argsort(key, kind="stable")
    flat = stream(s, 30)  # two epochs
    assert np.array_equal(flat[:n], expected)
    assert np.array_equal(flat[n:], expected)


# ---------------------------------------------------------------------------
# 8. Mixtures


def test_mixture_prefix_proportions_and_no_repeats_within_domains():
    sizes = [3000, 2000, 5000]
    n = sum(sizes)
    domains = np.repeat(np.arange(3, dtype=np.int32), sizes)
    weights = [0.5, 0.3, 0.2]
    batch = 100
    s = Sampler(uniform(n=n, batch=batch, mixture={"weights": weights}), domains=domains)
    flat = stream(s, 40)  # 4000 samples: no domain exhausted
    d = domains[flat]
    for dom, w in enumerate(weights):
        prefix = np.cumsum(d == dom)
        drift = np.abs(prefix - w * np.arange(1, len(flat) + 1))
        assert drift.max() <= batch + 1, (dom, drift.max())
        picked = flat[d == dom]
        assert len(np.unique(picked)) == len(picked)


def test_mixture_weights_changing_mid_run_never_repeat_or_skip_a_domain_sample():
    sizes = [400, 400]
    n = sum(sizes)
    domains = np.repeat(np.arange(2, dtype=np.int32), sizes)
    shifting = {"total_steps": 20, "phases": [{"shape": "linear", "steps": 20, "from": 0.9, "to": 0.1}]}
    s = Sampler(uniform(n=n, batch=20, mixture={"weights": [shifting, 0.5]}), domains=domains)
    flat = stream(s, 30)
    for dom in range(2):
        picked = flat[domains[flat] == dom]
        k = min(len(picked), sizes[dom])
        # each domain walks its own permutation: its first pass holds no repeat
        assert len(np.unique(picked[:k])) == k
    early = domains[stream(s, 3)]
    late = domains[stream(s, 3, start=17)]
    assert early.mean() < 0.5 < late.mean()  # the weights did move the mix


# ---------------------------------------------------------------------------
# 9. Ability (PUDF)


def test_ability_pool_is_the_items_below_the_cap_with_a_minimum():
    n = 2000
    b = np.random.default_rng(8).standard_normal(n)
    s = Sampler({"size": n, "global_batch": 32, "seed": 0, "policy": {"kind": "ability", "min_pool": 100}},
                scores=b)
    start = s.eligible(0)
    assert start >= 100
    s.report_ability(10, -4.0)  # very weak: the 100 easiest
    assert s.eligible(10) == max(100, int(np.sum(b <= -4.0)))
    s.report_ability(20, 0.5)  # better than before: cap = 0.5
    assert s.eligible(20) == int(np.sum(b <= 0.5))
    s.report_ability(30, 0.2)  # no better: the cap rises by 0.1
    assert s.eligible(30) == int(np.sum(b <= 0.6))
    order = np.argsort(b, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    for t in (20, 25, 31):
        batch = s.batch(t)
        assert rank[batch].max() < s.eligible(t)
        assert len(np.unique(batch)) == len(batch)
    # the history is part of the state; steps must not decrease
    with pytest.raises(pace.ArgumentError, match="step"):
        s.report_ability(25, 1.0)


def test_ability_state_round_trip_keeps_the_history():
    n = 800
    b = np.random.default_rng(9).standard_normal(n)
    config = {"size": n, "global_batch": 16, "seed": 4, "policy": {"kind": "ability"}}
    s = Sampler(config, scores=b)
    for t, theta in ((0, -1.0), (50, -0.3), (100, -0.5), (150, 0.7)):
        s.report_ability(t, theta)
    d = s.state_dict()
    r = Sampler.from_state_dict(d, scores=b)
    for t in (0, 49, 50, 120, 150, 10**6):
        assert r.eligible(t) == s.eligible(t)
        assert np.array_equal(r.batch(t), s.batch(t))
    assert r.state_dict()["state"] == d["state"]  # save -> load -> save is byte-identical


# ---------------------------------------------------------------------------
# 10. Saved state


def test_state_dict_round_trip_without_arrays():
    s = Sampler(uniform(n=5000, batch=RAMP))
    d = s.state_dict()
    assert d["format"] == pace.data.STATE_FORMAT and isinstance(d["state"], bytes)
    r = Sampler.from_state_dict(d)
    for t in (0, 11, 40, 10**5):
        assert np.array_equal(r.batch(t), s.batch(t))
    assert r.state_dict() == d


def test_damaged_state_is_rejected_whole():
    scores = np.arange(100, dtype=np.float64)
    s = Sampler({"size": 100, "global_batch": 10, "seed": 0, "policy": {"kind": "ordered"}}, scores=scores)
    blob = s.save()
    for i in range(0, len(blob), max(1, len(blob) // 23)):
        damaged = bytearray(blob)
        damaged[i] ^= 0x40
        with pytest.raises((pace.StateError, pace.VersionError)):
            Sampler.load(bytes(damaged), scores=scores)
    for cut in (0, 1, len(blob) // 2, len(blob) - 1):
        with pytest.raises(pace.StateError):
            Sampler.load(blob[:cut], scores=scores)
    with pytest.raises(pace.StateError):  # other arrays than the ones it was made with
        Sampler.load(blob, scores=scores[::-1].copy())
    with pytest.raises(pace.StateError):
        Sampler.from_state_dict({"format": "something else", "state": blob}, scores=scores)


# ---------------------------------------------------------------------------
# 11. IRT against scipy's optimum of the same objective


def rasch_data(models, items, seed):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(models) * 1.5
    b = rng.standard_normal(items)
    p = 1 / (1 + np.exp(-(theta[:, None] - b[None, :])))
    return theta, b, (rng.random((models, items)) < p).astype(np.uint8)


def test_irt_fit_is_the_map_estimate_and_recovers_difficulties():
    scipy_optimize = pytest.importorskip("scipy.optimize")
    models, items = 40, 150
    theta, b, r = rasch_data(models, items, 10)

    def objective(x):
        th, bb = x[:models], x[models:]
        z = th[:, None] - bb[None, :]
        loglik = np.sum(r * -np.logaddexp(0, -z) + (1 - r) * -np.logaddexp(0, z))
        p = 1 / (1 + np.exp(-z))
        g = r - p
        grad = np.concatenate([g.sum(1) - th, -g.sum(0) - bb])
        return -(loglik - 0.5 * th @ th - 0.5 * bb @ bb), -grad

    ref = scipy_optimize.minimize(objective, np.zeros(models + items), jac=True, method="L-BFGS-B",
                                  options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    d, a = pace.data.irt_fit(r, return_abilities=True)
    assert d.shape == (items,) and a.shape == (models,)
    np.testing.assert_allclose(d, ref.x[models:], atol=1e-4)
    np.testing.assert_allclose(a, ref.x[:models], atol=1e-4)
    assert np.corrcoef(d, b)[0, 1] > 0.8
    assert np.array_equal(pace.data.irt_fit(r.astype(bool)), d)  # deterministic, bools accepted


def test_irt_ability_is_pudfs_map_estimate():
    scipy_optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(11)
    b = rng.standard_normal(300)
    for true_theta in (-1.5, 0.0, 0.8, 2.0):
        right = rng.random(300) < 1 / (1 + np.exp(-(true_theta - b)))
        r = np.where(right, 1, -1)

        def neg(th):
            return -(-0.5 * th * th + np.sum(np.log1p((2 / (1 + np.exp(-(th - b))) - 1) * r)))

        ref = scipy_optimize.minimize_scalar(neg, bounds=(-8, 8), method="bounded", options={"xatol": 1e-10})
        got = pace.data.irt_ability(b, r)
        assert abs(got - ref.x) < 1e-5, (true_theta, got, ref.x)
        assert pace.data.irt_ability(b, right) == got


# ---------------------------------------------------------------------------
# 12. Bad input: clear errors naming the field, never a crash


def test_arguments_are_checked_in_python():
    s = Sampler(uniform(n=100, batch=10))
    with pytest.raises(TypeError, match="step"):
        s.batch(True)
    with pytest.raises(TypeError, match="step"):
        s.batch(1.0)
    with pytest.raises(TypeError, match="rank"):
        s.batch(0, rank="0", world_size=2)
    with pytest.raises(pace.ArgumentError, match="step"):
        s.batch(-1)
    with pytest.raises(pace.ArgumentError, match="step"):
        s.batch(2**63)
    with pytest.raises(pace.ArgumentError, match="step"):
        s.eligible(2**64 + 5)
    with pytest.raises(pace.ArgumentError, match="world_size"):
        s.batch(0, world_size=0)
    with pytest.raises(pace.ArgumentError, match="rank"):
        s.batch(0, rank=2, world_size=2)
    with pytest.raises(pace.ArgumentError, match="rank"):
        s.batch(0, rank=-1, world_size=2)
    with pytest.raises(pace.ArgumentError, match="theta"):
        s.report_ability(0, float("nan"))
    with pytest.raises(TypeError, match="theta"):
        s.report_ability(0, True)
    assert s.batch(np.int64(3)).tolist() == s.batch(3).tolist()


def test_library_errors_name_the_field():
    s = Sampler(uniform(n=100, batch=10))
    with pytest.raises(pace.ArgumentError, match="world_size"):
        s.batch(0, world_size=3)  # 10 % 3 != 0
    with pytest.raises(pace.PaceError, match="size"):
        Sampler(uniform(n=0))
    with pytest.raises(pace.PaceError, match="global_batch"):
        Sampler(uniform(batch=0))
    with pytest.raises(pace.PaceError, match="policy.kind"):
        Sampler({"size": 10, "global_batch": 2, "policy": {"kind": "fastest"}})
    with pytest.raises(pace.PaceError, match="temperature"):
        Sampler({"size": 10, "global_batch": 2, "policy": {"kind": "weighted", "temperature": -1, "budget": 3}},
                scores=np.zeros(10))
    with pytest.raises(pace.PaceError):
        Sampler("{not json")
    with pytest.raises(TypeError, match="config must be"):
        Sampler(12)
    with pytest.raises(pace.SpecError):
        Sampler({"size": 10, "global_batch": 2, "seed": float("nan")})


def test_bad_arrays():
    cfg = {"size": 10, "global_batch": 2, "policy": {"kind": "ordered"}}
    bad = np.arange(10, dtype=np.float64)
    bad[3] = np.nan
    with pytest.raises(pace.PaceError, match="scores"):
        Sampler(cfg, scores=bad)
    with pytest.raises(pace.PaceError, match="scores"):
        Sampler(cfg)  # the policy needs scores
    with pytest.raises(pace.PaceError, match="size|scores"):
        Sampler(cfg, scores=np.zeros(9))
    with pytest.raises(pace.ArgumentError, match="scores"):
        Sampler(cfg, scores=np.zeros((2, 5)))
    with pytest.raises(TypeError, match="scores"):
        Sampler(cfg, scores=np.array(["a"] * 10))
    mix = uniform(n=10, batch=2, mixture={"weights": [1, 1]})
    with pytest.raises(TypeError, match="domains"):
        Sampler(mix, domains=np.zeros(10))
    with pytest.raises(pace.ArgumentError, match="domains"):
        Sampler(mix, domains=np.full(10, 2**40))
    with pytest.raises(pace.PaceError, match="domains"):
        Sampler(mix, domains=np.full(10, -1, dtype=np.int32))
    with pytest.raises(pace.ArgumentError, match="same length"):
        Sampler({"size": 10, "global_batch": 2, "policy": {"kind": "weighted", "budget": 4, "per_domain": True}},
                scores=np.zeros(10), domains=np.zeros(9, dtype=np.int32))


def test_a_batch_larger_than_the_pool_is_an_error():
    with pytest.raises(pace.PaceError, match="global_batch|budget|pool"):
        s = Sampler({"size": 100, "global_batch": 64, "seed": 0,
                     "policy": {"kind": "weighted", "temperature": 1, "budget": 32}}, scores=np.zeros(100))
        s.batch(0)


def test_irt_bad_input():
    with pytest.raises(pace.ArgumentError, match="two-dimensional"):
        pace.data.irt_fit(np.zeros(5))
    with pytest.raises(pace.ArgumentError, match="0 and 1"):
        pace.data.irt_fit(np.full((2, 3), 2))
    with pytest.raises(pace.ArgumentError, match="at least one"):
        pace.data.irt_fit(np.zeros((0, 3)))
    with pytest.raises(pace.ArgumentError, match="same length"):
        pace.data.irt_ability(np.zeros(3), np.ones(2))
    with pytest.raises(pace.ArgumentError, match="responses_pm1"):
        pace.data.irt_ability(np.zeros(3), np.array([1, 0, -1]))
    with pytest.raises(pace.ArgumentError, match="difficulties"):
        pace.data.irt_ability(np.array([0.0, np.inf]), np.array([1, -1]))


def test_closed_sampler():
    s = Sampler(uniform())
    s.close()
    with pytest.raises(ValueError, match="closed"):
        s.batch(0)
    s.close()


def test_import_pace_data_imports_no_framework():
    code = ("import sys, pace.data; pace.data.Sampler({'size': 5, 'global_batch': 5}).batch(0); "
            "print(','.join(m for m in ('torch', 'jax', 'matplotlib') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=str(BINDINGS))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""
