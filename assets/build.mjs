// Builds masa's front-end assets into assets/dist/ (run: npm run build).
//
//   assets/scss/masa.scss  -> assets/dist/masa.css  (dart-sass, compressed)
//   assets/js/masa.mjs     -> assets/dist/masa.js   (ES module, copied)
//   govuk-frontend's dist/govuk/govuk-frontend.min.js (+ .map)
//                          -> assets/dist/govuk-frontend.min.js (+ .map)
//
//   Noto Sans (SIL Open Font License) regular, italic and bold TTFs
//                          -> assets/pdf-fonts/ (embedded in PDFs by src/pdf.rs; not served)
//
// No GOV.UK fonts or images are copied, and the build fails if masa.css
// refers to any (GDS Transport, woff, crown, url()).

import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const assetsDir = dirname(fileURLToPath(import.meta.url))
const rootDir = dirname(assetsDir)
const distDir = join(assetsDir, 'dist')
const require = createRequire(import.meta.url)
const govukDir = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist', 'govuk')

// Strings that must never appear in masa.css: we ship no GOV.UK fonts or images.
const FORBIDDEN_CSS = [/GDS Transport/i, /@font-face/i, /woff/i, /crown/i, /crest/i, /url\(/i]

// The only remaining mention of the crown in Frontend's CSS is the spacing rule
// for the footer's inline crown SVG, which masa's footer does not render.
const DROP_RULES = [/\.govuk-footer__crown\{[^}]*\}/g]

function fail (message) {
  console.error(`assets build failed: ${message}`)
  process.exit(1)
}

async function buildCss () {
  const warnings = []
  let result
  try {
    result = await sass.compileAsync(join(assetsDir, 'scss', 'masa.scss'), {
      style: 'compressed',
      importers: [new sass.NodePackageImporter(rootDir)],
      // Deprecation warnings from inside govuk-frontend are not ours to fix.
      quietDeps: true,
      logger: {
        warn (message, { deprecation, span }) {
          const where = span?.url ? ` (${relative(rootDir, fileURLToPath(span.url))}:${span.start.line + 1})` : ''
          warnings.push(`${deprecation ? 'deprecation' : 'warning'}: ${message}${where}`)
        },
        debug () {}
      }
    })
  } catch (err) {
    fail(err.message)
  }
  for (const w of warnings) console.warn(w)

  let css = result.css
  for (const rule of DROP_RULES) css = css.replace(rule, '')
  for (const pattern of FORBIDDEN_CSS) {
    const match = css.match(pattern)
    if (match) {
      const at = match.index
      fail(`masa.css contains ${pattern}: …${css.slice(Math.max(0, at - 80), at + 80)}…`)
    }
  }
  await writeFile(join(distDir, 'masa.css'), css + '\n')
  return Buffer.byteLength(css)
}

async function buildJs () {
  const source = await readFile(join(assetsDir, 'js', 'masa.mjs'), 'utf8')
  if (!source.includes("from './govuk-frontend.min.js'")) {
    fail("assets/js/masa.mjs must import from './govuk-frontend.min.js'")
  }
  await writeFile(join(distDir, 'masa.js'), source)
  for (const name of ['govuk-frontend.min.js', 'govuk-frontend.min.js.map']) {
    await copyFile(join(govukDir, name), join(distDir, name))
  }
}

// The PDF font: a sans-serif with an open licence, so documents look the same wherever they
// are made, with nothing fetched at run time.
async function copyPdfFonts () {
  const from = dirname(require.resolve('@expo-google-fonts/noto-sans/package.json'))
  const to = join(assetsDir, 'pdf-fonts')
  await rm(to, { recursive: true, force: true })
  await mkdir(to, { recursive: true })
  for (const f of ['400Regular/NotoSans_400Regular.ttf', '400Regular_Italic/NotoSans_400Regular_Italic.ttf', '700Bold/NotoSans_700Bold.ttf']) {
    await copyFile(join(from, f), join(to, f.split('/')[1]))
  }
  await copyFile(join(from, 'LICENSE_FONT'), join(to, 'OFL.txt'))
}

await rm(distDir, { recursive: true, force: true })
await mkdir(distDir, { recursive: true })
const [cssBytes] = await Promise.all([buildCss(), buildJs(), copyPdfFonts()])
console.log(`assets/dist: masa.css (${(cssBytes / 1024).toFixed(1)} KiB), masa.js, govuk-frontend.min.js`)
