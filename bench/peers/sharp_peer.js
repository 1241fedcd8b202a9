// Node's sharp (bundled libvips, from npm): the library most people use for
// this job. JOBS images in flight, each with one libvips thread, on a libuv
// pool of JOBS threads (UV_THREADPOOL_SIZE, set by run.sh), as a tuned
// service would run it.
//   node sharp_peer.js IN OUT JOBS WIDTH HEIGHT QUALITY [EXT]
// With EXT (say jpg), every output is NAME.EXT in that format, as
// `shardpix run -f jpeg`; without, the input's name and format.
'use strict';
const fs = require('fs');
const path = require('path');
const sharp = require('sharp');

const [src, dst, jobs, width, height, quality, ext] = process.argv.slice(2);
const EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif', '.heic', '.heif'];
sharp.concurrency(1);
sharp.cache(false);
fs.mkdirSync(dst, { recursive: true });
const names = fs.readdirSync(src)
  .filter((n) => EXTENSIONS.includes(path.extname(n).toLowerCase())).sort();

let next = 0;
let failed = 0;
async function worker() {
  while (next < names.length) {
    const name = names[next++];
    const out = ext ? `${path.parse(name).name}.${ext}` : name;
    try {
      // rotate(): EXIF orientation, as shardpix and vips thumbnail apply it.
      await sharp(path.join(src, name), { failOn: 'truncated' })
        .rotate()
        .resize(+width, +height, { fit: 'inside', withoutEnlargement: true })
        .grayscale()
        .toColourspace('b-w')
        .toFormat(path.extname(out).slice(1).toLowerCase().replace('jpg', 'jpeg'), { quality: +quality })
        .toFile(path.join(dst, out));
    } catch (e) {
      console.error(`${name}: ${e.message}`);
      failed++;
    }
  }
}
Promise.all(Array.from({ length: +jobs }, worker)).then(() => process.exit(failed ? 1 : 0));
