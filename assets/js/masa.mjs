// masa browser entry point (ES module, loaded with <script type="module">).
//
// Replaces GOV.UK Frontend's usual inline <script> in the page template, which
// a strict Content-Security-Policy (no inline scripts) would block. Module
// scripts are deferred, so document.body exists when this runs.
//
// assets/build.mjs copies this file to assets/dist/masa.js next to
// GOV.UK Frontend's prebuilt ES module (assets/dist/govuk-frontend.min.js).

import { initAll } from './govuk-frontend.min.js'

// Only browsers that run ES modules get here, which is exactly the test
// GOV.UK Frontend's inline snippet does ('noModule' in HTMLScriptElement).
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
