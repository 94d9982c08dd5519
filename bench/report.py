"""Prints bench/compare.sh's table: the median of each case's runs and the ratios the issue sets
targets for. Input: a TSV of case, wall_s, cpu_s, rss_kb, uploaded_bytes, blobs_uploaded."""
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
for line in open(sys.argv[1]):
    case, *vals = line.rstrip("\n").split("\t")
    rows[case].append([float(v) if v not in ("", "-") else None for v in vals])


def med(case, i):
    vals = [r[i] for r in rows.get(case, []) if r[i] is not None]
    return statistics.median(vals) if vals else None


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "s":
        return f"{v:.2f} s" if v >= 0.1 else f"{v * 1000:.0f} ms"
    if unit == "MB":
        return f"{v / 1e6:.1f} MB"
    if unit == "kb":
        return f"{v / 1024:.0f} MB"
    return f"{v:.0f}"


cases = [
    ("zip-baseline", "(a) zip runtime, baseline: pip install --target + zipfile"),
    ("zip-ours-cold", "(a) zip runtime, ours cold: zips written straight from the wheels"),
    ("zip-ours-rerun", "(b) zip runtime, ours rerun unchanged (cache hit)"),
    ("zip-ours-locked-cold", "(a') zip runtime, ours cold, hash-locked requirements"),
    ("zip-ours-locked-rerun", "(b') zip runtime, ours rerun unchanged, hash-locked (cache hit, no pip)"),
    ("image-baseline", "(c) image, baseline: buildah build + buildah push"),
    ("image-ours", "(c) image, ours: image.Assemble (layers compressed once, to files) + registry.Push"),
    ("image-ours-repush", "(d) image, ours unchanged: assembled from the cached layer files + registry.Push"),
    ("zip-1gb", "zip a 1 GB tree (ours)"),
]
names = {"aws": "Lithops' default AWS runtime", "ds": "data science (numpy pandas scipy scikit-learn matplotlib)",
         "tiny": "tiny (smoke)"}
for rt in ("aws", "ds", "tiny"):
    cases += [
        (f"pypi-{rt}-lithops", f"PyPI {names[rt]}: Lithops way, pip install --target + zipfile"),
        (f"pypi-{rt}-uv", f"PyPI {names[rt]}: uv pip install --target + zipfile"),
        (f"pypi-{rt}-ours-pip-cold", f"PyPI {names[rt]}: ours cold, pip resolves"),
        (f"pypi-{rt}-ours-pip-rerun", f"PyPI {names[rt]}: ours rerun unchanged, pip resolves"),
        (f"pypi-{rt}-ours-uv-cold", f"PyPI {names[rt]}: ours cold, uv resolves"),
        (f"pypi-{rt}-ours-uv-rerun", f"PyPI {names[rt]}: ours rerun unchanged, uv resolves"),
    ]
cases += [
    ("push-1gb", "assemble + push a 1 GB tree (ours)"),
    ("first-log", "binary start to first log line"),
]
print("| case | runs | wall (median) | CPU user+sys | peak RSS | uploaded | blobs uploaded |")
print("|---|---|---|---|---|---|---|")
for key, label in cases:
    if key not in rows:
        continue
    if key == "first-log":
        print(f"| {label} | {len(rows[key])} | {med(key, 0) * 1000:.1f} ms | - | - | - | - |")
        continue
    print(f"| {label} | {len(rows[key])} | {fmt(med(key, 0), 's')} | {fmt(med(key, 1), 's')} | {fmt(med(key, 2), 'kb')} "
          f"| {fmt(med(key, 3), 'MB')} | {fmt(med(key, 4), 'n')} |")


def ratio(a, b, target, what):
    x, y = med(a, 0), med(b, 0)
    if x is None or y is None or y == 0:
        return
    r = x / y
    print(f"| {what} | {r:.3f}x ({fmt(x, 's')} / {fmt(y, 's')}) | <= {target}x | {'met' if r <= target else 'NOT met'} |")


print()
print("| ratio (wall) | measured | target | |")
print("|---|---|---|---|")
ratio("zip-ours-cold", "zip-baseline", 0.5, "zip cold build, ours / baseline")
ratio("zip-ours-rerun", "zip-ours-cold", 0.05, "zip rerun unchanged / our cold build")
ratio("zip-ours-locked-rerun", "zip-ours-locked-cold", 0.05, "zip rerun unchanged / our cold build, hash-locked")
ratio("image-ours", "image-baseline", 0.3, "image build + push, ours / buildah")
for key, what, limit in [("zip-ours-rerun", "bytes uploaded on unchanged zip rerun", 0),
                         ("zip-ours-locked-rerun", "bytes uploaded on unchanged zip rerun, hash-locked", 0), ("image-ours-repush", "blobs uploaded on unchanged re-push", 0)]:
    idx = 3 if "bytes" in what else 4
    v = med(key, idx)
    if v is not None:
        print(f"| {what} | {v:.0f} | {limit} | {'met' if v <= limit else 'NOT met'} |")
for rt in ("aws", "ds", "tiny"):
    if f"pypi-{rt}-lithops" not in rows:
        continue
    for res in ("pip", "uv"):
        ratio(f"pypi-{rt}-ours-{res}-cold", f"pypi-{rt}-lithops", 0.2, f"PyPI {rt}: cold build, ours ({res} resolves) / Lithops way")
        ratio(f"pypi-{rt}-ours-{res}-cold", f"pypi-{rt}-uv", 1.0, f"PyPI {rt}: cold build, ours ({res} resolves) / uv + zipfile")
        ratio(f"pypi-{rt}-ours-{res}-rerun", f"pypi-{rt}-ours-{res}-cold", 0.05, f"PyPI {rt}: rerun unchanged / our cold build ({res} resolves)")
        v = med(f"pypi-{rt}-ours-{res}-rerun", 3)
        if v is not None:
            print(f"| PyPI {rt}: bytes uploaded on unchanged rerun ({res} resolves) | {v:.0f} | 0 | {'met' if v <= 0 else 'NOT met'} |")
        v = med(f"pypi-{rt}-ours-{res}-cold", 2)
        if v is not None:
            print(f"| PyPI {rt}: peak RSS, our cold build ({res} resolves) | {v / 1024:.0f} MB | < 200 MB | {'met' if v / 1024 < 200 else 'NOT met'} |")
for key in ("zip-1gb", "push-1gb"):
    v = med(key, 2)
    if v is not None:
        mb = v / 1024
        print(f"| peak RSS, {key} | {mb:.0f} MB | < 200 MB | {'met' if mb < 200 else 'NOT met'} |")
v = med("first-log", 0)
if v is not None:
    print(f"| start to first log line | {v * 1000:.1f} ms | < 50 ms | {'met' if v * 1000 < 50 else 'NOT met'} |")
