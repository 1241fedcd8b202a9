#!/usr/bin/python3
"""multiprocessing.Pool + OpenCV with reduced decoding: the image's size is
read from its header (Pillow, lazily: no pixel decoded), and the largest of
IMREAD_REDUCED_GRAYSCALE_8/4/2 that still gives at least the output size is
used (libjpeg DCT scaling for JPEG; decode then shrink elsewhere), then an
INTER_AREA resize (see peerjob.py).
   pool_opencv_reduced.py IN OUT JOBS WIDTH HEIGHT QUALITY"""
import sys

import cv2
from PIL import Image

import peerjob

REDUCED = ((8, cv2.IMREAD_REDUCED_GRAYSCALE_8), (4, cv2.IMREAD_REDUCED_GRAYSCALE_4),
           (2, cv2.IMREAD_REDUCED_GRAYSCALE_2))


def convert(task):
    src, dst, width, height, quality = task
    try:
        with Image.open(src) as im:
            w, h = im.size
    except Exception:
        w, h = 0, 0
    scale = min(width / w, height / h) if w and h else 1
    flag = cv2.IMREAD_GRAYSCALE
    for factor, reduced in REDUCED:
        if scale * factor <= 1:
            flag = reduced
            break
    img = cv2.imread(src, flag)
    if img is None:
        print(f"{src}: cannot read", file=sys.stderr)
        return False
    if scale < 1:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    params = [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_WEBP_QUALITY, quality]
    return bool(cv2.imwrite(dst, img, params))


if __name__ == "__main__":
    peerjob.run(convert)
