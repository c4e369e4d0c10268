import { assert, assertEquals } from "@std/assert";
import { join, toFileUrl } from "@std/path";
import { inspectPageInChromium } from "./browser_check.ts";

Deno.test("inspectPageInChromium reports console errors, failed loads, image and SVG sizes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const page = join(dir, "broken.html");
    await Deno.writeTextFile(
      page,
      `<!DOCTYPE html><html><body><img src="missing.png" alt="gone">` +
        `<svg width="50" height="20"></svg><script>console.error("boom")</script></body></html>`,
    );
    const seen = await inspectPageInChromium(page);
    assertEquals(seen.requests, [toFileUrl(page).href, toFileUrl(join(dir, "missing.png")).href]);
    assert(seen.errors.some((e) => e.includes("console.error: boom")), seen.errors.join("\n"));
    assert(seen.errors.some((e) => e.includes("ERR_FILE_NOT_FOUND")), seen.errors.join("\n"));
    assertEquals(seen.images.length, 1);
    assertEquals([seen.images[0].alt, seen.images[0].naturalWidth], ["gone", 0]);
    assertEquals(seen.svgs, [{ width: 50, height: 20 }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
