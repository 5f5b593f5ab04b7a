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

// Before the session's idle limit, warn and offer to stay signed in (the GOV.UK timeout
// warning). Without JavaScript nothing is lost either: a form sent after the limit comes back
// to be saved once signed in again. The page says how long its session has left.
const endsIn = Number(document.body.dataset.masaSessionEndsIn)
if (endsIn > 0) {
  const warnFor = 5 * 60 * 1000
  let endsAt = Date.now() + endsIn * 1000
  let banner = null
  let shown = ''

  const el = (tag, className, text) => {
    const e = document.createElement(tag)
    if (className) e.className = className
    if (text) e.textContent = text
    return e
  }

  const draw = (heading, body, action) => {
    // Drawn again only when its words change, so a keyboard user's focus stays put.
    if (banner && shown === heading) return
    shown = heading
    if (!banner) {
      banner = el('div', 'govuk-notification-banner masa-session-warning')
      banner.setAttribute('role', 'alert')
      banner.setAttribute('aria-labelledby', 'masa-session-title')
      const header = el('div', 'govuk-notification-banner__header')
      const title = el('h2', 'govuk-notification-banner__title', 'Important')
      title.id = 'masa-session-title'
      header.append(title)
      banner.append(header, el('div', 'govuk-notification-banner__content'))
      const main = document.getElementById('main-content')
      if (main) main.prepend(banner)
    }
    const content = banner.querySelector('.govuk-notification-banner__content')
    content.replaceChildren(el('p', 'govuk-notification-banner__heading', heading), el('p', 'govuk-body', body), action)
  }

  const stay = () => {
    fetch('/account/alive', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(r => (r.ok && (r.headers.get('content-type') || '').includes('json') ? r.json() : null))
      .then(j => {
        if (j && j.ends_in > 0) {
          endsAt = Date.now() + j.ends_in * 1000
          if (banner) banner.remove()
          banner = null
          shown = ''
        } else {
          signedOut()
        }
      })
      .catch(() => {})
  }

  const signedOut = () => {
    const link = el('a', 'govuk-notification-banner__link', 'Sign in again')
    link.href = '/sign-in?next=' + encodeURIComponent(location.pathname + location.search)
    draw('You have been signed out', 'You were signed out after a time without activity. If you send a form on this page, what you typed is kept: sign in when asked and you can save it.', link)
  }

  const check = (now = Date.now()) => {
    const left = endsAt - now
    if (left <= 0) {
      signedOut()
    } else if (left <= warnFor) {
      const minutes = Math.max(1, Math.ceil(left / 60000))
      const button = el('button', 'govuk-button govuk-!-margin-bottom-0', 'Stay signed in')
      button.type = 'button'
      button.addEventListener('click', stay)
      draw('You will be signed out in ' + minutes + (minutes === 1 ? ' minute' : ' minutes'), 'You have not done anything for a while. Stay signed in to carry on; anything you have not saved is kept either way.', button)
    }
  }

  // The browser test moves the clock forward through this.
  window.masaSessionCheck = check
  setInterval(check, 20000)
}

// The threshold tool: as boxes are ticked, say which level they suggest so far, by the
// document's rule (the same rule as the server's; pressing the button shows what to do next
// and is what the partnership counts). Without JavaScript the button alone does it.
const tool = document.getElementById('threshold-tool')
if (tool) {
  const rule = tool.dataset.rule || 'highest'
  const names = [...(document.getElementById('threshold-levels')?.content.querySelectorAll('span') || [])].map(s => s.textContent)
  const live = document.getElementById('masa-live-level')
  const suggest = () => {
    const ticked = [...tool.querySelectorAll('input[name="i"]')].filter(i => i.type === 'hidden' || i.checked)
    const per = names.map(() => 0)
    let decisive = -1
    for (const i of ticked) {
      const rank = Number(i.dataset.rank)
      if (!Number.isInteger(rank) || rank < 0 || rank >= per.length) continue
      per[rank] += 1
      if (i.dataset.decisive) decisive = Math.max(decisive, rank)
    }
    const highest = per.findLastIndex(n => n > 0)
    if (highest < 0) {
      live.hidden = true
      live.textContent = ''
      return
    }
    let level = highest
    if (rule === 'most') {
      const most = Math.max(...per)
      level = Math.max(per.findLastIndex(n => n === most), decisive)
    }
    live.hidden = false
    live.textContent = 'So far these suggest: ' + names[level] + '. Press the button to see what to do next.'
  }
  tool.addEventListener('change', suggest)
  suggest()
}
