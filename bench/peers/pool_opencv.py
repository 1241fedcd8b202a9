#!/usr/bin/python3
"""multiprocessing.Pool + OpenCV: luminance-only decode, INTER_AREA shrink.
   pool_opencv.py IN OUT JOBS WIDTH HEIGHT QUALITY
Same job as `shardpix run` (see pool_pillow.py). IMREAD_GRAYSCALE drops
alpha; OpenCV's own threads are left at their default, as users do."""
import multiprocessing
import os
import sys

import cv2

EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif")


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
