#!/usr/bin/python3
"""multiprocessing.Pool + OpenCV: luminance-only decode, INTER_AREA shrink
(see peerjob.py). IMREAD_GRAYSCALE drops alpha; OpenCV's own threads are
left at their default, as users do.
   pool_opencv.py IN OUT JOBS WIDTH HEIGHT QUALITY"""
import sys

import cv2

import peerjob


def convert(task):
    src, dst, width, height, quality = task
    img = cv2.imread(src, cv2.IMREAD_GRAYSCALE)
    if img is None:
        print(f"{src}: cannot read", file=sys.stderr)
        return False
    h, w = img.shape[:2]
    scale = min(width / w, height / h)
    if scale < 1:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    params = [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_WEBP_QUALITY, quality]
    return bool(cv2.imwrite(dst, img, params))


if __name__ == "__main__":
    peerjob.run(convert)
