"""The part the Python peers share: arguments, listing, the Pool.
   SCRIPT IN OUT JOBS WIDTH HEIGHT QUALITY [EXT]
Same job as `shardpix run`: the images directly in IN (jpg, jpeg, png, webp,
tif, tiff, gif), grey, fit inside WIDTHxHEIGHT never enlarged, saved under
OUT with the same name and format, JPEG/WebP at QUALITY; with EXT (say jpg),
saved as NAME.EXT in that format instead, as `shardpix run -f jpeg`."""
import multiprocessing
import os
import sys

EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif")


def run(convert):
    """Maps convert((src, dst, width, height, quality)) -> bool over the folder
    with Pool(JOBS).map, the classic recipe; exits 1 if any image failed."""
    src_dir, dst_dir, jobs, width, height, quality = sys.argv[1:7]
    ext = sys.argv[7] if len(sys.argv) > 7 else None
    os.makedirs(dst_dir, exist_ok=True)
    names = sorted(n for n in os.listdir(src_dir) if n.lower().endswith(EXTENSIONS))
    tasks = [(os.path.join(src_dir, n),
              os.path.join(dst_dir, f"{os.path.splitext(n)[0]}.{ext}" if ext else n),
              int(width), int(height), int(quality)) for n in names]
    with multiprocessing.Pool(int(jobs)) as pool:
        ok = sum(pool.map(convert, tasks))
    sys.exit(0 if ok == len(tasks) else 1)
