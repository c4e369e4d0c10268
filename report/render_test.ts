import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import {
  dejavuFontFiles,
  FIGURE_FONT,
  renderFigure,
  renderSpec,
  type VegaLiteSpec,
} from "./render.ts";
import { decodePngRgba, PNG_SIGNATURE, readPngHeader } from "./png_test_support.ts";

const lineSpec = (title?: string): VegaLiteSpec => ({
  ...(title ? { title } : {}),
  width: 200,
  height: 100,
  data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }, { x: 3, y: 1 }] },
  mark: "line",
  encoding: {
    x: { field: "x", type: "quantitative" },
    y: { field: "y", type: "quantitative" },
  },
});

/** Pixels in rows [y0, y1) that differ from white by more than a faint anti-aliasing shade. */
function inkedPixels(img: { width: number; rgba: Uint8Array }, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < img.width; x++) {
      const p = (y * img.width + x) * 4;
      if (Math.min(img.rgba[p], img.rgba[p + 1], img.rgba[p + 2]) < 200) n++;
    }
  }
  return n;
}

function svgSize(svg: string): { width: number; height: number } {
  const m = svg.match(/^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/);
  if (!m) throw new Error("the SVG root has no width and height");
  return { width: Number(m[1]), height: Number(m[2]) };
}

Deno.test("dejavuFontFiles lists existing TrueType files from the npm package", async () => {
  const files = dejavuFontFiles();
  assertEquals(files.length, 4);
  for (const f of files) {
    assert(f.includes("dejavu-fonts-ttf"), f);
    const head = (await Deno.readFile(f)).subarray(0, 4);
    assertEquals(Array.from(head), [0, 1, 0, 0], `${f} starts with the TrueType sfnt version`);
  }
});

Deno.test("renderSpec: a valid PNG per the spec, sized as the SVG times the scale", async () => {
  const fig = await renderSpec(lineSpec("A title"), { scale: 2 });
  assertEquals(Array.from(fig.png.subarray(0, 8)), PNG_SIGNATURE);
  const header = readPngHeader(fig.png);
  const svg = svgSize(fig.svg);
  assertEquals([header.width, header.height], [svg.width * 2, svg.height * 2]);
  assertEquals([fig.width, fig.height], [header.width, header.height]);
  assertEquals([header.bitDepth, header.compression, header.filter, header.interlace], [
    8,
    0,
    0,
    0,
  ]);
  assert(fig.svg.includes(`font-family="${FIGURE_FONT}"`), "the SVG names the figure font");
  assertEquals(fig.warnings, []);
  const one = await renderSpec(lineSpec(), { scale: 1 });
  const h1 = readPngHeader(one.png);
  assertEquals([h1.width, h1.height], [svgSize(one.svg).width, svgSize(one.svg).height]);
});

Deno.test("renderSpec draws text with the bundled fonts, never with the system's", async () => {
  // This machine has system fonts (DejaVu, Liberation); with no font files given, the title band
  // must stay blank, which shows that system fonts are not loaded and the bundled ones draw text.
  const spec = lineSpec("Sharpness along exponential Euler");
  const withFonts = await renderSpec(spec, { scale: 1 });
  const noFonts = await renderSpec(spec, { scale: 1, fontFiles: [] });
  assertEquals(withFonts.svg, noFonts.svg);
  const a = await decodePngRgba(withFonts.png);
  const b = await decodePngRgba(noFonts.png);
  const titleBand = [0, 20] as const;
  const inkWith = inkedPixels(a, ...titleBand);
  assert(inkWith > 100, `title drawn: ${inkWith} inked pixels`);
  assertEquals(inkedPixels(b, ...titleBand), 0, "no font → no title pixels");
  // The whole image has more ink with fonts (axis labels too), and the line is drawn in both.
  assert(inkedPixels(a, 0, a.height) > inkedPixels(b, 0, b.height));
  assert(inkedPixels(b, 0, b.height) > 50, "the line and axes are drawn without fonts");
});

Deno.test("renderSpec collects Vega-Lite warnings instead of printing them", async () => {
  const spec = {
    ...lineSpec(),
    mark: "line",
    encoding: {
      x: { field: "x", type: "quantitative" },
      y: { field: "y", type: "quantitative", scale: { type: "log", zero: true } },
    },
  } as VegaLiteSpec;
  const fig = await renderSpec(spec, { scale: 1 });
  assertEquals(fig.warnings.length, 1);
  assertStringIncludes(fig.warnings[0], "zero");
});

Deno.test("renderFigure writes .vl.json, .svg and .png with the themed spec", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = await renderFigure(lineSpec("T"), join(dir, "figs"), "F0_test", { scale: 1 });
    assertEquals(out.vlPath, join(dir, "figs", "F0_test.vl.json"));
    const vl = JSON.parse(await Deno.readTextFile(out.vlPath));
    assertEquals(vl.config.font, FIGURE_FONT);
    assertEquals(vl.title, "T");
    assert((await Deno.readTextFile(out.svgPath)).startsWith("<svg"));
    const header = readPngHeader(await Deno.readFile(out.pngPath));
    assertEquals([header.width, header.height], [out.width, out.height]);
    assert(out.renderMs > 0);
    const names = [...Deno.readDirSync(join(dir, "figs"))].map((e) => e.name).sort();
    assertEquals(names, ["F0_test.png", "F0_test.svg", "F0_test.vl.json"]);
    await assertRejects(() => renderFigure(lineSpec(), dir, "../x"), Error, "name");
    await assertRejects(() => renderSpec(lineSpec(), { scale: 0 }), Error, "scale");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
