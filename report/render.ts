/**
 * Headless figure rendering: Vega-Lite spec → Vega → SVG → PNG.
 *
 * Text is drawn with the DejaVu fonts shipped by the npm package `dejavu-fonts-ttf`, passed to
 * resvg with system fonts disabled, so a PNG is the same on every machine, including one without
 * any installed fonts. The Vega config is set to the same family so that Vega's layout (which
 * estimates text widths) and resvg's drawing agree on the face.
 *
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";
import { createRequire } from "node:module";
import { dirname, join } from "@std/path";
import { writeFileAtomic } from "../util/atomic_write.ts";

/** A Vega-Lite specification, as the figure builders return it. */
export type VegaLiteSpec = TopLevelSpec;

/** The font family every figure uses; it is the one whose files {@linkcode dejavuFontFiles} lists. */
export const FIGURE_FONT = "DejaVu Sans";

const DEJAVU_FACES = [
  "DejaVuSans.ttf",
  "DejaVuSans-Bold.ttf",
  "DejaVuSans-Oblique.ttf",
  "DejaVuSans-BoldOblique.ttf",
];

/** Absolute paths of the DejaVu Sans faces (regular, bold, oblique, bold oblique) from npm. */
export function dejavuFontFiles(): string[] {
  // The package has no entry point; its package.json locates the ttf/ folder.
  const root = dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json"));
  return DEJAVU_FACES.map((face) => join(root, "ttf", face));
}

/** Returns `spec` with the figure font and a white background in its config (spec's own wins). */
export function withFigureTheme(spec: VegaLiteSpec): VegaLiteSpec {
  const config = spec.config ?? {};
  return {
    ...spec,
    background: spec.background ?? "white",
    config: { ...config, font: config.font ?? FIGURE_FONT },
  } as VegaLiteSpec;
}

/** PNG pixels per SVG unit unless RenderOptions.scale says otherwise. */
export const DEFAULT_SCALE = 2;

/** Options of {@linkcode renderSpec}. */
export interface RenderOptions {
  /** PNG pixels per SVG unit (default 2, for sharp text on high-density screens). */
  scale?: number;
  /** Font files resvg may use (default {@linkcode dejavuFontFiles}); system fonts never are. */
  fontFiles?: string[];
}

/** A figure rendered in memory. */
export interface RenderedFigure {
  /** The themed Vega-Lite spec that was rendered. */
  spec: VegaLiteSpec;
  /** The SVG document. */
  svg: string;
  /** The PNG file's bytes. */
  png: Uint8Array;
  /** The PNG's width and height in pixels (the SVG's size times the scale). */
  width: number;
  height: number;
  /** Warnings and errors Vega-Lite and Vega logged (a correct spec logs none). */
  warnings: string[];
}

/** Compiles `spec` with Vega-Lite, renders it headless with Vega to SVG, then to PNG with resvg. */
export async function renderSpec(
  spec: VegaLiteSpec,
  options: RenderOptions = {},
): Promise<RenderedFigure> {
  const scale = options.scale ?? DEFAULT_SCALE;
  if (!(scale > 0 && Number.isFinite(scale))) {
    throw new Error(`scale: ${scale} is not a positive finite number`);
  }
  const themed = withFigureTheme(spec);
  // Collected instead of printed, so callers and tests can see them.
  const warnings: string[] = [];
  const logger = vega.logger(vega.Warn, undefined, (_method, level, args) => {
    warnings.push(`${level} ${args.map(String).join(" ")}`);
  });
  const vegaSpec = vl.compile(themed, { logger }).spec;
  const view = new vega.View(vega.parse(vegaSpec), { renderer: "none", logger });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const resvg = new Resvg(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: options.fontFiles ?? dejavuFontFiles(),
      defaultFontFamily: FIGURE_FONT,
      sansSerifFamily: FIGURE_FONT,
    },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
  });
  const image = resvg.render();
  return {
    spec: themed,
    svg,
    png: new Uint8Array(image.asPng()),
    width: image.width,
    height: image.height,
    warnings,
  };
}

/** What {@linkcode renderFigure} wrote. */
export interface WrittenFigure {
  /** The figure's file stem. */
  name: string;
  /** Paths of `<name>.vl.json`, `<name>.svg` and `<name>.png`. */
  vlPath: string;
  svgPath: string;
  pngPath: string;
  /** PNG size in pixels. */
  width: number;
  height: number;
  /** Wall time of compile + render + encode, in milliseconds (file writes excluded). */
  renderMs: number;
  /** Warnings and errors Vega-Lite and Vega logged. */
  warnings: string[];
}

const FIGURE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Renders `spec` and writes `<outDir>/<name>.vl.json`, `.svg` and `.png`, each atomically. */
export async function renderFigure(
  spec: VegaLiteSpec,
  outDir: string,
  name: string,
  options: RenderOptions = {},
): Promise<WrittenFigure> {
  if (!FIGURE_NAME.test(name)) {
    throw new Error(`name: "${name}" must be letters, digits, ".", "_" or "-" (not leading)`);
  }
  const start = performance.now();
  const figure = await renderSpec(spec, options);
  const renderMs = performance.now() - start;
  const vlPath = join(outDir, `${name}.vl.json`);
  const svgPath = join(outDir, `${name}.svg`);
  const pngPath = join(outDir, `${name}.png`);
  await writeFileAtomic(vlPath, JSON.stringify(figure.spec, null, 2) + "\n");
  await writeFileAtomic(svgPath, figure.svg);
  await writeFileAtomic(pngPath, figure.png);
  return {
    name,
    vlPath,
    svgPath,
    pngPath,
    width: figure.width,
    height: figure.height,
    renderMs,
    warnings: figure.warnings,
  };
}
