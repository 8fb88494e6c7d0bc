"""The benchmark archive generator and the benchmark report (issue #7). No timing is asserted."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from graph.view_overview import write_search_index

ROOT = Path(__file__).resolve().parent.parent


def load(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up; run.py imports generate by this name
    spec.loader.exec_module(module)
    return module


generate = load("generate")


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_generate_same_seed_gives_the_same_bytes(tmp_path):
    generate.generate(tmp_path / "a", 0.15, seed=5)
    generate.generate(tmp_path / "b", 0.15, seed=5)
    generate.generate(tmp_path / "c", 0.15, seed=6)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")
    assert "ARCHIVE.json" in files(tmp_path / "a")


def test_generate_sizes(tmp_path):
    paths = generate.generate(tmp_path, 0.2, seed=1, min_kb=10, max_kb=50)
    sizes = [p.stat().st_size for p in paths]
    assert sum(sizes) >= 200_000
    assert all(10_000 <= s <= 70_000 for s in sizes[:-1])  # the last file only fills up the total
    assert [p.name for p in paths] == [f"doc-{i:05d}.txt" for i in range(1, len(paths) + 1)]
    assert generate.read_manifest(tmp_path)["files"] == len(paths)


def test_generate_renames_places_within_the_hierarchy():
    text = "江西省九江市瑞昌市人民冲压有限公司。九江市委组织部。瑞昌市位于江西北部。"
    provinces = set()
    for seed in range(20):
        out = generate.vary_article(text, random.Random(seed))
        levels = {div.level: div for div, _short in generate.places_in(out).values()}
        county, city, province = levels[2], levels[1], levels[0]
        assert county.parent == city.code and city.parent == province.code
        assert out.count(city.name) == 2 and out.count(county.name) == 2  # the same names both times
        assert out.startswith(province.name) and f"位于{province.short}北部" in out
        provinces.add(province.name)
    assert len(provinces) >= 10


def test_generate_renames_people_companies_and_chains():
    text = "江西天一航空装备有限公司党支部书记何炳辉介绍，铜产业链党委联合天一航空，何炳辉说。"
    out = generate.vary_article(text, random.Random(3))
    assert "何炳辉" not in out and "天一" not in out and "铜产业链" not in out
    assert "有限公司党支部书记" in out and "产业链党委" in out
    person = out.split("书记")[1].split("介绍")[0]
    assert out.count(person) == 2  # the same new name both times


def test_generate_articles_split_at_headings_or_paragraphs():
    rng = random.Random(0)
    page = "深度关注\n\n# 标题一\n\n" + "正文。" * 80 + "\n\n# 标题二\n\n" + "正文。" * 80
    assert [a.split("\n")[0] for a in generate.split_articles(page, rng)] == ["深度关注", "# 标题二"]
    plain = "\n\n".join(f"第{i}段。" for i in range(20))
    runs = generate.split_articles(plain, rng)
    assert 3 <= len(runs) <= 7 and "\n\n".join(runs) == plain


def test_benchmark_stages_and_report(tmp_path):
    run = load("run")
    generate.generate(tmp_path / "archive", 0.02, seed=2, min_kb=5, max_kb=8)
    result = run.measure_stages(tmp_path / "archive", memory=True)
    assert set(result["stages"]) == set(run.STAGE_ORDER)
    assert result["triples"] > 0 and result["documents"] >= 2
    builds = [{"workers": 1, "cache": "none", "wall": 4.0, "rss": 2e8, "workers_rss": 0, "identical": True},
              {"workers": 2, "cache": "none", "wall": 2.5, "rss": 2e8, "workers_rss": 5e7, "identical": True}]
    text = "\n".join(run.format_size({"stages": result, "memory": result, "builds": builds}))
    for stage in run.STAGE_ORDER:
        assert f"| {stage} |" in text
    assert "| `--workers 2` --no-cache | 2.5 | 1.60× | ? / ? |" in text


def test_benchmark_main_writes_the_report(tmp_path, capsys):
    run = load("run")
    out = tmp_path / "report.md"
    assert run.main(["--size-mb", "0.02", "--workers", "", "--no-memory", "--no-jieba",
                     "--archives", str(tmp_path / "archives"), "--out", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    assert report.startswith("## redchain benchmark") and "| mentions |" in report
    assert report.strip() == capsys.readouterr().out.strip()


@pytest.mark.parametrize("seconds,expected", [(0.0, "–"), (2.0, "0.50"), (0.05, "20.0"), (0.001, "1,000")])
def test_benchmark_rates(seconds, expected):
    assert load("run")._rate(1.0, seconds) == expected


def test_benchmark_scaling_table_compares_the_smallest_and_largest_size():
    run = load("run")

    def sized(megabytes: float, seconds: dict[str, float]) -> dict:
        return {"stages": {"bytes": megabytes * run.MB, "stages": {k: {"seconds": v} for k, v in seconds.items()}}}

    lines = run.format_scaling([sized(100, {"segment": 40.0, "view": 130.0}), sized(10, {"segment": 4.0, "view": 10.0})])
    assert lines[0] == "### Scaling: 10.0 MB → 100.0 MB (input ×10.0)"
    assert "| segment | 4.00 | 40.00 | 10.0 |" in lines and "| view | 10.00 | 130.00 | 13.0 |" in lines
    assert "| **all stages** | **14.0** | **170.0** | **12.1** |" in lines
    assert run.format_scaling([sized(10, {"segment": 4.0})]) == []


def test_memory_benchmark_measures_a_build_stage_by_stage(tmp_path):
    memory = load("memory")
    generate.generate(tmp_path / "archive", 0.02, seed=3, min_kb=5, max_kb=8)
    row = memory.measure(tmp_path / "archive", workers=1)
    assert set(memory.STAGES) <= set(row["before"])
    peaks = [row["before"][stage] for stage in memory.STAGES]
    assert peaks == sorted(peaks) and 0 < peaks[-1] <= row["peak"]  # a peak so far only grows
    assert row["bytes"] == sum(p.stat().st_size for p in (tmp_path / "archive").glob("*.txt")) > 0
    assert row["entities"] > 0 and row["triples"] > 0


def test_memory_benchmark_growth_exponent():
    memory = load("memory")
    row = {"before": {}, "children": 0, "entities": 1, "triples": 1, "seconds": 1.0, "written": 5e6}
    rows = [{**row, "bytes": 10e6, "peak": 200, "whole": 300}, {**row, "bytes": 100e6, "peak": 800, "whole": 3000}]
    last = memory.report(rows, 2).splitlines()[3]
    # log(4) / log(10) = 0.602 for the main process, log(10) / log(10) for the whole build
    assert last.startswith("| 100 |") and last.endswith("| 800 | 0 | 3,000 | 0.60 | 1.00 | 5 |")


def test_memory_benchmark_samples_the_whole_process_tree():
    """The peak counts what a child of the measured process holds (a grandchild of this one)."""
    memory = load("memory")
    child = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
             "'import time; b = b\"x\" * (80 << 20); time.sleep(1.5)'], check=True); print('done')")
    out, peak = memory.run_sampled([sys.executable, "-c", child], every=0.05)
    assert out.strip() == "done" and peak >= 80


# a search index of three nodes, as the overview's files hold it (view_overview._search_index)
INDEX = {"zh": "北京\n上海\n广州\n", "py": "běi jīng\nshàng hǎi\nguǎng zhōu\n", "en": "Beijing\n\nGuangzhou\n",
         "alts": "京|燕京\n\n\n", "cls": [0, 1, 2]}


def test_overview_search_benchmark_grows_the_index_and_keeps_the_groups_whole():
    bench = load("overview_search")
    data = {"title": "t", "groups": [{"label": "甲", "n": 2}, {"label": "乙", "n": 1}]}
    copy, grown = bench.inflated(data, INDEX, 3)
    assert grown["zh"].split("\n")[:-1] == ["北京", "上海", "广州", "北京1", "上海1", "广州1", "北京2", "上海2", "广州2"]
    assert all(grown[c].count("\n") == 9 for c in ("zh", "py", "en", "alts")) and grown["cls"] == [0, 1, 2] * 3
    assert sum(g["n"] for g in copy["groups"]) == 9 and [g["n"] for g in data["groups"]] == [2, 1], "the input is kept"


def test_overview_search_benchmark_writes_the_index_it_read(tmp_path):
    bench = load("overview_search")
    names = write_search_index(tmp_path / "graph-view", bench.index_nodes(INDEX), rows=2)
    assert len(names) == 2
    assert bench.read_index(tmp_path / "graph.html", [f"graph-view/{name}" for name in names]) == INDEX
