#!/usr/bin/env python3
"""Seed benchmark: `dbt seed` against `runner seed` on jaffle-shop-shaped seeds of 151,715 rows.

    python3 scripts/bench-seeds.py [--runner target/release/runner] [--dbt DBT] [--dir DIR] [--runs 3]
                                   [--postgres HOST:PORT]

dbt-labs/jaffle-shop's `seeds/jaffle-data` (customers, orders, items, products, stores, supplies)
is 151,715 rows; the two large files are not in every copy of that repository, so this script writes
seeds of the same columns, types and row counts, deterministically (uuid-like ids, ISO timestamps,
integer amounts, booleans). Each engine seeds its own DuckDB file, or with --postgres its own
schema of a running server (user postgres, database postgres, no password needed). Prints CPU
(user+sys), wall and peak RSS for both and the dbt/runner ratios, as a Markdown table row.
"""
import argparse
import os
import pathlib
import random
import statistics
import subprocess
import sys
import time
import uuid

ROWS = {"raw_customers": 935, "raw_orders": 61948, "raw_items": 88751, "raw_products": 10,
        "raw_stores": 6, "raw_supplies": 65}


def uid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def write_seeds(seeds):
    rng = random.Random(151715)
    seeds.mkdir(parents=True, exist_ok=True)
    customers = [uid(rng) for _ in range(ROWS["raw_customers"])]
    stores = [uid(rng) for _ in range(ROWS["raw_stores"])]
    skus = [f"JAF-{i:03d}" for i in range(1, ROWS["raw_products"] + 1)]
    with open(seeds / "raw_customers.csv", "w") as f:
        f.write("id,name\n")
        for c in customers:
            f.write(f"{c},Customer {rng.randint(1, 10**6)}\n")
    with open(seeds / "raw_stores.csv", "w") as f:
        f.write("id,name,opened_at,tax_rate\n")
        for i, s in enumerate(stores):
            f.write(f"{s},Store {i},2016-{i % 12 + 1:02d}-01T00:00:00,0.0{i % 9 + 1}\n")
    with open(seeds / "raw_products.csv", "w") as f:
        f.write("sku,name,type,price,description\n")
        for i, s in enumerate(skus):
            f.write(f"{s},product {i},{'jaffle' if i < 5 else 'beverage'},{(i + 5) * 100},a description of {i}\n")
    with open(seeds / "raw_supplies.csv", "w") as f:
        f.write("id,name,cost,perishable,sku\n")
        for i in range(ROWS["raw_supplies"]):
            f.write(f"SUP-{i % 30:03d},supply {i},{rng.randint(1, 90)},{rng.choice(['True', 'False'])},{rng.choice(skus)}\n")
    orders = []
    with open(seeds / "raw_orders.csv", "w") as f:
        f.write("id,customer,ordered_at,store_id,subtotal,tax_paid,order_total\n")
        start = time.mktime((2016, 9, 1, 8, 0, 0, 0, 0, -1))
        for i in range(ROWS["raw_orders"]):
            o = uid(rng)
            orders.append(o)
            sub = rng.randint(1, 20) * 100
            tax = sub * 6 // 100
            at = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(start + i * 500))
            f.write(f"{o},{rng.choice(customers)},{at},{rng.choice(stores)},{sub},{tax},{sub + tax}\n")
    with open(seeds / "raw_items.csv", "w") as f:
        f.write("id,order_id,sku\n")
        for _ in range(ROWS["raw_items"]):
            f.write(f"{uid(rng)},{rng.choice(orders)},{rng.choice(skus)}\n")


def measure(cmd, cwd, env, log):
    with open(log, "ab") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench-seeds: {' '.join(map(str, cmd))} failed; see {log}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def main():
    repo = pathlib.Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runner", default=str(repo / "target/release/runner"))
    p.add_argument("--dbt", default=str(pathlib.Path.home() / ".cache/runner/venv-dbt/bin/dbt"))
    p.add_argument("--dir", default=str(pathlib.Path(os.environ.get("XDG_CACHE_HOME", pathlib.Path.home() / ".cache"))
                                        / "runner/bench/jaffle-seeds"))
    p.add_argument("--runs", type=int, default=3, help="runner runs (median); dbt runs once")
    p.add_argument("--postgres", metavar="HOST:PORT", help="seed into this Postgres instead of DuckDB")
    args = p.parse_args()
    project = pathlib.Path(args.dir)
    if not (project / "seeds/raw_items.csv").exists():
        write_seeds(project / "seeds")
    (project / "dbt_project.yml").write_text(
        'name: jaffle_seeds\nversion: "1.0.0"\nconfig-version: 2\nprofile: jaffle_seeds\n')
    if args.postgres:
        host, port = args.postgres.rsplit(":", 1)
        (project / "profiles.yml").write_text(
            "jaffle_seeds:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n"
            f"      host: {host}\n      port: {port}\n      user: postgres\n      password: unused\n"
            "      dbname: postgres\n      schema: \"{{ env_var('SEED_BENCH_DB') }}\"\n      threads: 4\n")
    else:
        (project / "profiles.yml").write_text(
            "jaffle_seeds:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
            "      path: \"{{ env_var('SEED_BENCH_DB') }}\"\n      threads: 4\n")
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_VERSION_CHECK="false", DO_NOT_TRACK="1")
    rows = sum(ROWS.values())
    results = {}
    for tool, cmd, n in (("dbt", [args.dbt], 1), ("runner", [args.runner], args.runs)):
        samples = []
        for _ in range(n):
            if args.postgres:
                db = f"seeds_{tool}"  # a schema per engine; the first seed of a run creates the tables
            else:
                db = project / f"{tool}.duckdb"
                for suffix in ("", ".wal"):
                    pathlib.Path(f"{db}{suffix}").unlink(missing_ok=True)
            run_env = dict(env, SEED_BENCH_DB=str(db))
            samples.append(measure(cmd + ["seed", "--profiles-dir", ".", "--target-path", f"target-{tool}"],
                                   project, run_env, project / f"{tool}.log"))
        results[tool] = tuple(statistics.median(s[i] for s in samples) for i in range(3))
        print(f"bench-seeds: {tool:6} wall {results[tool][0]:8.2f}s  cpu {results[tool][1]:8.2f}s  "
              f"rss {results[tool][2]:7.1f} MB", file=sys.stderr)
    d, r = results["dbt"], results["runner"]
    engine = "Postgres" if args.postgres else "DuckDB"
    print(f"| seed {rows:,} rows (jaffle-shop shape), {engine} | {d[1]:.2f} | {r[1]:.3f} | {d[1] / r[1]:,.0f}x "
          f"| {d[0]:.2f} | {r[0]:.3f} | {d[0] / r[0]:,.0f}x | {d[2]:.0f} | {r[2]:.1f} |")


if __name__ == "__main__":
    main()
