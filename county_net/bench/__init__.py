"""Benchmark support inside the product: the synthetic province (`flask bench generate`). The bare
baseline app and the load driver live in the top-level `bench/` folder and are never imported here."""


def init_app(app) -> None:
    from county_net.bench.cli import bench_cli

    app.cli.add_command(bench_cli)
