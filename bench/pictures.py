"""Pictures: renditions made per second per core, memory while resizing, and rendition
serving against nginx serving the same bytes, side by side in one run.

    python bench/pictures.py            # a 12-megapixel JPEG, 10 s of wrk per server
    python bench/pictures.py --quick    # a 2-megapixel JPEG, 2 s each: proves the bench runs

The JPEG is generated at run time with Pillow (no large binary in the repository). Each
library resizes it in a child process pinned to one core (`taskset -c 1`), making the six
renditions a picture has (320, 640, 1024 wide; WebP and JPEG), the way wiredesk.imaging does
(Pillow) and the way pyvips would (`thumbnail_buffer`, where `pyvips-binary` is installed),
and reports renditions per second and the child's peak memory (ru_maxrss).

Serving: `wiredesk serve` with a store holding one story and its picture, the rendition made
once by a first request, then `taskset -c 0 wrk -t1 -c64` against /pictures/{id}/1024.jpg,
and against nginx serving the same rendition's bytes as a static file; both servers on core
1 (bench/serve.py's helpers). Figures are noisy on a shared machine: compare the ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from PIL import Image  # noqa: E402

from wiredesk import imaging  # noqa: E402

FORMATS = ("webp", "jpg")


def photo(width: int, height: int) -> bytes:
    """A JPEG with a photo's mix of smooth areas and fine detail (noise over gradients)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 48)
    rgb = Image.merge("RGB", (gradient, noise, Image.radial_gradient("L").resize((width, height))))
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _pillow(data: bytes, width: int, fmt: str) -> bytes:
    return imaging.render(data, width, fmt)[0]


def _vips(data: bytes, width: int, fmt: str) -> bytes:
    import pyvips

    thumb = pyvips.Image.thumbnail_buffer(data, width, height=100_000, size="down")
    if fmt == "webp":
        return thumb.webpsave_buffer(Q=imaging.WEBP_QUALITY, keep="icc")
    return thumb.jpegsave_buffer(Q=imaging.JPEG_QUALITY, keep="icc", optimize_coding=True,
                                 interlace=True)


def child(library: str, path: str, rounds: int) -> None:
    """In a pinned child: make every rendition `rounds` times; print rate and peak memory."""
    data = Path(path).read_bytes()
    if library == "pyvips":
        import pyvips

        pyvips.cache_set_max(0)  # nothing reused between rounds: each is a fresh request
    make = _vips if library == "pyvips" else _pillow
    widths = imaging.widths_for(Image.open(io.BytesIO(data)).width)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    made, started = 0, time.perf_counter()
    for _ in range(rounds):
        if library == "pillow-all":  # wiredesk's way: every rendition from one decode
            made += len(imaging.render_all(data, widths, FORMATS))
            continue
        for width in widths:
            for fmt in FORMATS:
                out = make(data, width, fmt)
                assert imaging.sniff(out) in ("WEBP", "JPEG")
                made += 1
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rate": made / seconds, "made": made, "peak_mb": peak / 1024,
                      "growth_mb": (peak - before) / 1024}))


def resize_row(library: str, path: Path, rounds: int) -> dict[str, float] | None:
    env = dict(os.environ, VIPS_CONCURRENCY="1", PYTHONPATH=str(ROOT / "src"))
    command = ["taskset", "-c", "1", sys.executable, __file__, "--child", library, str(path),
               "--rounds", str(rounds)]
    if not shutil.which("taskset"):
        command = command[3:]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    if result.returncode != 0:
        if library == "pyvips":
            print(f"pyvips: not measured ({result.stderr.strip().splitlines()[-1][:120]})")
            return None
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout)


def serving(jpeg: bytes, seconds: int) -> dict[str, dict[str, float]]:
    import serve as bench_serve  # bench/serve.py: pinned servers, wrk, nginx
    from wiredesk import desk
    from wiredesk.sources.pictures import PictureFetch
    from wiredesk.store import Store
    from wiredesk.story import Delivery
    from wiredesk.terms import Terms

    folder = Path(tempfile.mkdtemp(prefix="wiredesk-pictures-"))
    try:
        (folder / "photo.jpg").write_bytes(jpeg)
        now = datetime.now(UTC)
        item = {"uri": "urn:bench:1", "version": "1", "versioncreated": now.isoformat(),
                "headlines": [{"role": "main", "value": "Bench story with a picture"}],
                "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>Text.</p>"}],
                "infosources": [{"name": "Reuters", "role": "originator"}],
                "associations": [{"name": "featureimage", "uri": "urn:bench:pic", "type": "picture",
                                  "renditions": [{"name": "original", "href": "photo.jpg"}]}]}
        url = f"sqlite:///{folder / 'w.db'}"
        store = Store.open(url)
        desk.apply(store, Delivery(json.dumps(item).encode(), "bench", "item", now),
                   Terms(agency="Reuters"), pictures=PictureFetch(store, folder=folder))
        picture = store.pictures.by_uri("urn:bench:pic")
        store.close()
        assert picture is not None and picture.width
        width = imaging.widths_for(picture.width)[-1]
        path = f"/pictures/{picture.id}/{width}.jpg"
        results: dict[str, dict[str, float]] = {}
        port, nginx_port = bench_serve.free_port(), bench_serve.free_port()
        import httpx

        with bench_serve.wiredesk_server(url, port) as server:
            first = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=60)  # made once here
            assert first.status_code == 200, first.status_code
            rendition = first.content
            results[f"wiredesk {path.rsplit('/', 1)[1]}"] = bench_serve.wrk(
                f"http://127.0.0.1:{port}{path}", seconds, [server.pid])
        with bench_serve.nginx_server(rendition, nginx_port) as nginx:
            results["nginx, same bytes"] = bench_serve.wrk(
                f"http://127.0.0.1:{nginx_port}/article.html", seconds, [nginx.pid])
        results["_bytes"] = {"rps": float(len(rendition))}
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("LIBRARY", "PATH"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.rounds)
        return 0
    width, height = (1600, 1200) if args.quick else (4000, 3000)
    rounds, seconds = (1, 2) if args.quick else (3, 10)
    jpeg = photo(width, height)
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(jpeg)
        f.flush()
        print(f"picture: {width}x{height} JPEG ({width * height / 1e6:.0f} MP), "
              f"{len(jpeg) / 1e6:.1f} MB; {len(imaging.widths_for(width)) * len(FORMATS)} "
              "renditions each (320/640/1024 x WebP/JPEG), one core")
        rows = {lib: resize_row(lib, Path(f.name), rounds)
                for lib in ("pillow", "pyvips", "pillow-all")}
    print("pillow, pyvips: each rendition from its own decode; pillow-all: all six from one "
          "decode (what wiredesk does)")
    print(f"{'library':<11} {'renditions/s/core':>18} {'peak RSS MB':>12} {'growth MB':>10}")
    for lib, row in rows.items():
        if row:
            print(f"{lib:<11} {row['rate']:>18.2f} {row['peak_mb']:>12.0f} "
                  f"{row['growth_mb']:>10.0f}")
    if rows.get("pyvips") and rows.get("pillow"):
        print(f"pyvips / Pillow = {rows['pyvips']['rate'] / rows['pillow']['rate']:.2f}x")
    if not (shutil.which("wrk") and shutil.which("nginx") and shutil.which("taskset")):
        print("serving: not measured (needs wrk, nginx and taskset)")
        return 0
    results = serving(jpeg, seconds)
    size = results.pop("_bytes")["rps"]
    reference = results["nginx, same bytes"]["rps"]
    print(f"\nserving one {size / 1000:.0f} kB rendition; wrk -t1 -c64 -d{seconds}s on core 0, "
          "servers on core 1")
    print(f"{'server':<22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs nginx':>9}")
    for name, r in results.items():
        print(f"{name:<22} {r['rps']:>9,.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
              f"{r['rps'] / reference:>8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
