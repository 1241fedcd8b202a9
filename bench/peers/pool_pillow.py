#!/usr/bin/python3
"""The classic recipe: multiprocessing.Pool + Pillow.
   pool_pillow.py IN OUT JOBS WIDTH HEIGHT QUALITY
Same job as `shardpix run`: the images directly in IN (jpg, jpeg, png, webp,
tif, tiff, gif), grey, fit inside WIDTHxHEIGHT never enlarged, saved under
OUT with the same name and format, JPEG/WebP at QUALITY."""
import multiprocessing
import os
import sys

from PIL import Image

EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif")


def convert(task):
    src, dst, width, height, quality = task
    try:
        with Image.open(src) as im:
            grey = im.convert("L")
            grey.thumbnail((width, height))
            grey.save(dst, quality=quality)
        return True
    except Exception as e:  # a bad image must not stop the pool
        print(f"{src}: {e}", file=sys.stderr)
        return False


def main():
    src_dir, dst_dir, jobs, width, height, quality = sys.argv[1:7]
    os.makedirs(dst_dir, exist_ok=True)
    names = sorted(n for n in os.listdir(src_dir) if n.lower().endswith(EXTENSIONS))
    tasks = [(os.path.join(src_dir, n), os.path.join(dst_dir, n), int(width), int(height),
              int(quality)) for n in names]
    with multiprocessing.Pool(int(jobs)) as pool:
        ok = sum(pool.map(convert, tasks))
    sys.exit(0 if ok == len(tasks) else 1)


if __name__ == "__main__":
    main()
