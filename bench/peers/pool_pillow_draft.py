#!/usr/bin/python3
"""multiprocessing.Pool + Pillow the way a careful user writes it: draft()
first, so that libjpeg decodes JPEGs luminance-only at the smallest DCT
scale still at least the box (see peerjob.py); other formats decode whole.
   pool_pillow_draft.py IN OUT JOBS WIDTH HEIGHT QUALITY"""
import sys

from PIL import Image

import peerjob


def convert(task):
    src, dst, width, height, quality = task
    try:
        with Image.open(src) as im:
            # JPEG only: a no-op elsewhere. Scale picked so both sides stay
            # >= the box, the colour space reduced to L inside libjpeg.
            im.draft("L", (width, height))
            grey = im.convert("L")
            grey.thumbnail((width, height))
            grey.save(dst, quality=quality)
        return True
    except Exception as e:  # a bad image must not stop the pool
        print(f"{src}: {e}", file=sys.stderr)
        return False


if __name__ == "__main__":
    peerjob.run(convert)
