// The portal's public pages: small enhancements only; every page works without this file.
// The 长者模式 toggle (remembered in localStorage and in the zt_display cookie, which the
// platform's server-rendered pages read too), the article's font size and print buttons.
/* global document, window, localStorage */
(function () {
  'use strict';
  var root = document.documentElement;
  var YEAR = 365 * 24 * 3600;

  function remember(mode) {
    try {
      localStorage.setItem('zt_display', mode);
    } catch {
      // Private windows may refuse storage; the cookie still carries the choice.
    }
    var secure = window.location.protocol === 'https:' ? '; secure' : '';
    document.cookie = 'zt_display=' + mode + '; path=/; max-age=' + YEAR + '; samesite=lax' + secure;
  }

  function setUpDisplayToggle(toggle) {
    // A button now: it no longer leads to the statement but switches the mode in place.
    toggle.setAttribute('role', 'button');
    toggle.addEventListener('click', function (event) {
      event.preventDefault();
      var large = !root.classList.contains('display-large');
      root.classList.toggle('display-large', large);
      remember(large ? 'large' : 'standard');
    });
    toggle.addEventListener('keydown', function (event) {
      // A role="button" also answers the space bar.
      if (event.key === ' ') {
        event.preventDefault();
        toggle.click();
      }
    });
  }

  function setUpArticleTools(tools) {
    var body = document.querySelector('[data-article-body]');
    if (!body) return;
    var buttons = tools.querySelectorAll('[data-font]');
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener('click', function () {
        body.classList.remove('article-font-large', 'article-font-medium', 'article-font-small');
        body.classList.add('article-font-' + button.getAttribute('data-font'));
        Array.prototype.forEach.call(buttons, function (other) {
          other.setAttribute('aria-pressed', other === button ? 'true' : 'false');
        });
      });
    });
    var print = tools.querySelector('[data-print]');
    if (print) print.addEventListener('click', function () { window.print(); });
    tools.hidden = false;
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('[data-display-toggle]'), setUpDisplayToggle);
    Array.prototype.forEach.call(document.querySelectorAll('[data-article-tools]'), setUpArticleTools);
  });
})();
