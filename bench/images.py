"""Lead-image benchmark: what the images plugin costs a build, cold and warm.

The build benchmark's articles have no images, so its ratio leaves them out; this measures them
apart. `count` articles, each with its own lead picture (3000x2000 JPEG), are built with the real
pelican.conf.py three ways, alternating, each into a fresh output folder:
- `cold`: an empty image cache, so every variant is decoded and encoded;
- `warm`: the cache the cold build filled (what a rebuild costs: hashing and linking only);
- `without`: the same articles without their `Image:` lines (the site with no image work).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from .build import pelican_cmd
from .stats import machine, run_measured, summarize, targets_table, write_json

ROOT = Path(__file__).resolve().parent.parent
SIZE = (3000, 2000)


def picture(index: int) -> bytes:
    """A distinct photo-sized JPEG (gradients and a noise layer, so it compresses like a photo)."""
    width, height = SIZE
    noise = Image.effect_noise((width, height), 40 + index)
    ramp = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (noise, ramp, ramp.rotate(90 + index).resize((width, height))))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def generate(content: Path, count: int, with_images: bool = True) -> None:
    """`count` articles under `content`, each naming its own picture in content/images/."""
    (content / "images").mkdir(parents=True, exist_ok=True)
    for index in range(count):
        picture_path = content / "images" / f"photo-{index}.jpg"
        if not picture_path.exists():
            picture_path.write_bytes(picture(index))
        fields = (f"Image: images/photo-{index}.jpg\nImageAlt: Test photo {index}\n"
                  f"ImageCaption: Caption {index}.\nImageCredit: Photo: Bench\n") if with_images else ""
        (content / f"article-{index}.md").write_text(
            f"Title: Pictured story {index}\nDate: 2025-07-01 09:{index % 60:02d}\n"
            f"Slug: pictured-{index}\n{fields}\nA paragraph of text.\n", encoding="utf-8")


def measure(count: int, repeats: int, work: Path) -> dict:
    with_images, without = work / "content", work / "content-without"
    generate(with_images, count)
    generate(without, count, with_images=False)
    cache = work / "cache"
    env = {**os.environ, "COMMENTS_DATABASE_URL": f"sqlite:///{work / 'none.sqlite3'}"}
    times = {"cold": [], "warm": [], "without": []}
    for _ in range(repeats):
        for name in times:
            if name == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            output = work / f"out-{name}"
            shutil.rmtree(output, ignore_errors=True)
            cmd = pelican_cmd(without if name == "without" else with_images, output,
                              ROOT / "pelican.conf.py") + ["-e", f'IMAGES_CACHE_PATH="{cache}"']
            elapsed, _ = run_measured(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
            times[name].append(elapsed)
    result = {name: summarize(samples) for name, samples in times.items()}
    result["warm_over_without"] = result["warm"]["median"] / result["without"]["median"]
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench images")
    parser.add_argument("--count", type=int, default=20, help="articles with a picture (default 20)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-images-") as tmp:
        result = measure(args.count, args.repeats, Path(tmp))
    payload = {"benchmark": "images", "machine": machine(), "count": args.count,
               "source_size": list(SIZE), "repeats": args.repeats, "results": result}
    write_json("images", payload)
    print(f"{args.count} pictures {SIZE[0]}x{SIZE[1]}: cold {result['cold']['median']:.2f}s "
          f"warm {result['warm']['median']:.2f}s without images {result['without']['median']:.2f}s "
          f"(warm/without {result['warm_over_without']:.3f})")
    print(targets_table("images (measured, no target set)", [
        ("warm build / build without images", f"{result['warm_over_without']:.3f}", "none", None)]))
    return payload
