#!/usr/bin/env python3
"""Reference power indices for concord's tests, from two independent PyPI packages.

Run once (the output is committed): the test `tests/power.rs` compares concord's exact indices
with these to 1e-9.

    pip install power-bdd==1.0.0 powerindex==0.3.5
    python3 crates/concord-domain/tests/data/power/reference.py

- power-bdd (binary decision diagrams, Bolus's method): raw Banzhaf (Penrose) and
  Shapley-Shubik indices of weighted games and of their AND/OR compositions, which is how the
  EU double majority and the UN Security Council are written;
- powerindex (generating functions): normalised Banzhaf and Shapley-Shubik of one weighted game.

The EU27 populations are the 2025 figures derived from the Council's shares
(`eu27-population.csv` beside the other test data: the same column the rules tests use).
"""

import csv
import json
import math
import os
from importlib.metadata import version

import powerindex
from power_bdd.bdd import BDD, WeightedGame

HERE = os.path.dirname(os.path.abspath(__file__))
POPULATION_CSV = os.path.join(HERE, "..", "eu27-population.csv")


def eu27():
    with open(POPULATION_CSV, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["iso3"] != "EU"]
    assert len(rows) == 27
    return [r["iso3"] for r in rows], [
        int(r["council_2025_population_derived_approx"]) for r in rows
    ]


# power-bdd's WeightedGame prepends a 0 to the list it is given: always pass it a copy.


def bdd_indices(bdd, n):
    banzhaf = bdd.calc_banzhaf()
    shapley = bdd.calc_shapley()
    assert len(banzhaf) == n and len(shapley) == n
    return [float(x) for x in banzhaf], [float(x) for x in shapley]


def double_majority(members, populations, member_share, population_share, min_blocking):
    n = len(members)
    total = sum(populations)
    quota = math.ceil(population_share * total)
    min_count = math.ceil(member_share * n)
    members_game = BDD(WeightedGame(min_count, [1] * n))
    population_game = BDD(WeightedGame(quota, list(populations)))
    game = members_game & population_game
    count_alone = None
    if min_blocking > 0:
        # Fewer than `min_blocking` members against: the population criterion is deemed met.
        count_alone = n - min_blocking + 1
        game = game | BDD(WeightedGame(count_alone, [1] * n))
    banzhaf, shapley = bdd_indices(game, n)
    return {
        "members": members,
        "weights": populations,
        "quota": quota,
        "min_count": min_count,
        "count_alone": count_alone,
        "banzhaf": banzhaf,
        "shapley_shubik": shapley,
        "source": f"power-bdd {version('power-bdd')}",
    }


def security_council():
    p5 = ["CHN", "FRA", "GBR", "RUS", "USA"]
    elected = [f"E{i:02}" for i in range(1, 11)]
    n = 15
    game = BDD(WeightedGame(9, [1] * n)) & BDD(WeightedGame(5, [1] * 5 + [0] * 10))
    banzhaf, shapley = bdd_indices(game, n)
    return {
        "members": p5 + elected,
        "weights": [1] * 5 + [0] * 10,
        "quota": 5,
        "min_count": 9,
        "count_alone": None,
        "banzhaf": banzhaf,
        "shapley_shubik": shapley,
        "source": f"power-bdd {version('power-bdd')}",
    }


def weighted_60():
    # A board of 60 shareholders with a long tail (5000, 2500, 1666, …): deterministic.
    weights = [5000 // (i + 1) for i in range(60)]
    total = sum(weights)
    quota = total // 2 + 1
    members = [f"S{i + 1:02}" for i in range(60)]
    bdd_banzhaf = [float(x) for x in BDD(WeightedGame(quota, list(weights))).calc_banzhaf()]
    game = powerindex.Game(quota, weights=list(weights))
    game.calc_banzhaf()
    game.calc_shapley_shubik()
    return {
        "members": members,
        "weights": weights,
        "quota": quota,
        "min_count": 1,
        "count_alone": None,
        "banzhaf": bdd_banzhaf,
        "banzhaf_share": [float(x) for x in game.banzhaf],
        "shapley_shubik": [float(x) for x in game.shapley_shubik],
        "source": f"power-bdd {version('power-bdd')} (banzhaf), "
        f"powerindex {version('powerindex')} (banzhaf_share, shapley_shubik)",
    }


def main():
    members, populations = eu27()
    games = {
        "eu27-qmv": double_majority(members, populations, 0.55, 0.65, 4),
        "eu27-reinforced-qmv": double_majority(members, populations, 0.72, 0.65, 0),
        "un-security-council": security_council(),
        "weighted-60": weighted_60(),
    }
    out = os.path.join(HERE, "reference.json")
    with open(out, "w") as f:
        json.dump(games, f, indent=1)
        f.write("\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
