/**
 * Draws the Teams app icons and writes them as PNG files, with no image library:
 *
 *   appPackage/color.png    192×192 RGBA: a rounded square in the brand colour with a white cloud
 *                           whose keyhole shows the brand colour through it
 *   appPackage/outline.png   32×32 RGBA: the same cloud-and-keyhole glyph, white on transparent
 *
 *   npx tsx scripts/make-icons.ts [outDir]   (default ./appPackage)
 *
 * The PNG is encoded by hand (signature, IHDR, one IDAT of zlib-deflated rows each led by filter
 * byte 0, IEND, each chunk with its CRC-32), so the output is byte-for-byte reproducible.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

/** The brand colour (a OneDrive-like blue) and the glyph colour. */
export const BRAND_RGB: readonly [number, number, number] = [0x03, 0x64, 0xb8];
export const GLYPH_RGB: readonly [number, number, number] = [0xff, 0xff, 0xff];

/** An RGBA image, 8 bits a channel, rows top to bottom. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes: R, G, B, A. */
  pixels: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// PNG encoding

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG uses it) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return out;
}

/** Encodes an RGBA image as a PNG: 8-bit, colour type 6 (truecolour with alpha), not interlaced. */
export function encodePng(image: RgbaImage): Buffer {
  const { width, height, pixels } = image;
  if (pixels.length !== width * height * 4) throw new Error(`expected ${width * height * 4} bytes of pixels, got ${pixels.length}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type None
    Buffer.from(pixels.buffer, pixels.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ---------------------------------------------------------------------------------------------
// Drawing: shapes in unit coordinates (0..1 across the icon), rendered with 8×8 supersampling.

type Shape = (x: number, y: number) => boolean;

const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    x >= x0 && x <= x1 && y >= y0 && y <= y1;
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y));
const minus =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    a(x, y) && !b(x, y);

function roundedSquare(inset: number, radius: number): Shape {
  const lo = inset;
  const hi = 1 - inset;
  return (x, y) => {
    if (x < lo || x > hi || y < lo || y > hi) return false;
    const cx = Math.min(Math.max(x, lo + radius), hi - radius);
    const cy = Math.min(Math.max(y, lo + radius), hi - radius);
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius;
  };
}

/** A keyhole: a round head above a tapering slot. */
function keyhole(cx: number, headY: number, headR: number, slotTop: number, slotBottom: number, topHalf: number, bottomHalf: number): Shape {
  const head = circle(cx, headY, headR);
  return (x, y) => {
    if (head(x, y)) return true;
    if (y < slotTop || y > slotBottom) return false;
    const t = (y - slotTop) / (slotBottom - slotTop);
    return Math.abs(x - cx) <= topHalf + (bottomHalf - topHalf) * t;
  };
}

/**
 * The glyph in a unit box: a cloud (three puffs on a flat base) with a keyhole cut through it.
 * `scale` shrinks it about the centre so the colour icon keeps a margin inside its square.
 */
export function glyph(scale: number): Shape {
  const cloud = union(
    circle(0.3, 0.6, 0.14), // left puff
    circle(0.5, 0.46, 0.22), // top puff
    circle(0.71, 0.57, 0.17), // right puff
    rect(0.3, 0.5, 0.71, 0.74), // flat base
  );
  const hole = keyhole(0.52, 0.52, 0.07, 0.54, 0.68, 0.03, 0.05);
  const shape = minus(cloud, hole);
  // The cloud spans x 0.16..0.88 and y 0.24..0.74; centre it, then scale about the middle.
  const dx = 0.5 - (0.16 + 0.88) / 2;
  const dy = 0.5 - (0.24 + 0.74) / 2;
  return (x, y) => shape((x - 0.5) / scale + 0.5 - dx, (y - 0.5) / scale + 0.5 - dy);
}

const SUPERSAMPLE = 8;

/** Fraction of the pixel (px, py) of a size×size image covered by `shape`. */
function coverage(shape: Shape, px: number, py: number, size: number): number {
  let hits = 0;
  for (let sy = 0; sy < SUPERSAMPLE; sy++) {
    for (let sx = 0; sx < SUPERSAMPLE; sx++) {
      if (shape((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size)) hits++;
    }
  }
  return hits / (SUPERSAMPLE * SUPERSAMPLE);
}

/** The 192×192 colour icon: brand rounded square, white glyph, transparent outside the corners. */
export function drawColorIcon(size = 192): RgbaImage {
  const background = roundedSquare(0, 0.2);
  const mark = glyph(0.9);
  const pixels = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const bg = coverage(background, px, py, size);
      const fg = coverage((x, y) => background(x, y) && mark(x, y), px, py, size);
      const i = (py * size + px) * 4;
      const alpha = bg; // the glyph lies inside the square, so the square's coverage is the pixel's
      if (alpha === 0) continue; // fully transparent: 0,0,0,0
      const w = fg / bg; // share of the covered area that is glyph
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(BRAND_RGB[c]! * (1 - w) + GLYPH_RGB[c]! * w);
      pixels[i + 3] = Math.round(alpha * 255);
    }
  }
  return { width: size, height: size, pixels };
}

/** The 32×32 outline icon: white glyph on transparent; edges are white with partial alpha. */
export function drawOutlineIcon(size = 32): RgbaImage {
  const mark = glyph(1.15);
  const pixels = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const a = Math.round(coverage(mark, px, py, size) * 255);
      if (a === 0) continue;
      const i = (py * size + px) * 4;
      pixels[i] = 255;
      pixels[i + 1] = 255;
      pixels[i + 2] = 255;
      pixels[i + 3] = a;
    }
  }
  return { width: size, height: size, pixels };
}

/** Writes color.png and outline.png into `outDir`; returns their paths. */
export function writeIcons(outDir: string): { color: string; outline: string } {
  mkdirSync(outDir, { recursive: true });
  const color = path.join(outDir, 'color.png');
  const outline = path.join(outDir, 'outline.png');
  writeFileSync(color, encodePng(drawColorIcon()));
  writeFileSync(outline, encodePng(drawOutlineIcon()));
  return { color, outline };
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'appPackage'));
  const written = writeIcons(outDir);
  console.log(`Wrote ${written.color} (192×192) and ${written.outline} (32×32)`);
}
