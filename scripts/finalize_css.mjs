// Second step of scripts/build_css.sh: turn Tailwind's raw output into static/build/app.css.
//
//   node scripts/finalize_css.mjs <raw tailwind output> <final css>
//
// - copies the @fontsource font files the CSS references into static/build/fonts/ and points
//   the url()s there (relative, so they resolve under /static/build/ with any STATIC_URL);
// - drops the legacy .woff fallbacks (every supported browser reads woff2);
// - percent-encodes the SVG namespace inside data: URIs and strips the link from license
//   banners, so the output contains no "http://" or "https://" at all;
// - fails (exit 1, final file untouched) if anything could still make a browser contact
//   another host.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [rawPath, outPath] = process.argv.slice(2).map((p) => resolve(p));
if (!rawPath || !outPath) {
  console.error("usage: finalize_css.mjs <raw.css> <out.css>");
  process.exit(2);
}
const outDir = dirname(outPath);
const fontDir = join(outDir, "fonts");
const fontsourceDir = join(root, "node_modules", "@fontsource");

// url("..."), url('...') or url(...); quoted data: URIs may contain parentheses.
const URL_RE = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)/g;

let css = readFileSync(rawPath, "utf8");

// 1. Legacy woff fallbacks after a woff2 source: ",url(./files/x.woff) format("woff")".
css = css.replace(/\s*,\s*url\(\s*["']?\.?\/?files\/[^)"']+\.woff["']?\s*\)\s*format\(\s*["']?woff["']?\s*\)/g, "");

// 2. Font files: ./files/NAME -> fonts/NAME, copied from the @fontsource package that has it.
const packages = existsSync(fontsourceDir) ? readdirSync(fontsourceDir) : [];
const wanted = new Set();
const missing = [];
css = css.replace(/url\(\s*(["']?)\.?\/?files\/([^)"'\/]+)\1\s*\)/g, (_, _q, name) => {
  const pkg = packages.find((p) => existsSync(join(fontsourceDir, p, "files", name)));
  if (!pkg) missing.push(name);
  else wanted.add(`${pkg}/${name}`);
  return `url(fonts/${name})`;
});
if (missing.length) {
  console.error(`finalize_css: font files not found in node_modules/@fontsource: ${missing.join(", ")}`);
  process.exit(1);
}
mkdirSync(fontDir, { recursive: true });
const keep = new Set();
for (const entry of wanted) {
  const [pkg, name] = entry.split("/");
  const src = join(fontsourceDir, pkg, "files", name);
  const dst = join(fontDir, name);
  keep.add(name);
  const s = statSync(src);
  if (!existsSync(dst) || statSync(dst).size !== s.size || statSync(dst).mtimeMs < s.mtimeMs) {
    copyFileSync(src, dst);
  }
}
for (const name of readdirSync(fontDir)) {
  if (!keep.has(name)) rmSync(join(fontDir, name), { force: true });
}

// 3. The SVG namespace inside data: URIs. Data URLs are percent-decoded before the SVG is
//    parsed, so "http%3A//" still reads as the namespace; it is an identifier, never fetched.
css = css.replace(URL_RE, (m, dq, sq, bare) =>
  (dq ?? sq ?? bare).trim().startsWith("data:") ? m.replace(/http(s?):\/\//g, "http$1%3A//") : m,
);

// 4. Links in comments (license banners, e.g. "| MIT License | https://tailwindcss.com").
css = css.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/https?:\/\//g, ""));

// 5. Nothing may point at another host.
const problems = [];
for (const m of css.matchAll(/https?:\/\/[^\s"')]*|\/\/fonts\.[^\s"')]*/g)) problems.push(m[0]);
for (const m of css.matchAll(URL_RE)) {
  const u = (m[1] ?? m[2] ?? m[3]).trim();
  if (u.startsWith("data:")) continue;
  if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(u)) problems.push(u);
  else if (!existsSync(join(outDir, u.split(/[?#]/)[0]))) problems.push(`${u} (missing file)`);
}
for (const m of css.matchAll(/@import\s+(?:url\()?\s*["']?([^"')\s;]+)/g)) problems.push(`@import ${m[1]}`);
if (problems.length) {
  console.error("finalize_css: the built CSS would make browsers fetch from elsewhere:");
  for (const p of [...new Set(problems)]) console.error(`  ${p}`);
  process.exit(1);
}

const tmp = `${outPath}.tmp`;
writeFileSync(tmp, css);
renameSync(tmp, outPath);
console.log(`finalize_css: ${outPath} (${css.length} bytes, ${keep.size} font files)`);
