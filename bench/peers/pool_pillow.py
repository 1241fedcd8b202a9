#!/usr/bin/python3
"""The classic recipe: multiprocessing.Pool + Pillow (see peerjob.py).
   pool_pillow.py IN OUT JOBS WIDTH HEIGHT QUALITY"""
import sys

from PIL import Image

import peerjob


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


if __name__ == "__main__":
    peerjob.run(convert)
