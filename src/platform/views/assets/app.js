// Zhengtong pages: small enhancements only. Every page works without this file.
/* global document, window */
(function () {
  'use strict';

  // A refused form's error summary takes the focus, so screen readers announce it at once.
  function focusSummary(root) {
    var summary = root.querySelector('[data-focus-on-load]');
    if (summary) summary.focus();
  }

  // Actions that cannot be undone ask first (the text comes from the page, in its language).
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener('DOMContentLoaded', function () {
    focusSummary(document);
  });
  document.addEventListener('htmx:afterSwap', function (event) {
    focusSummary(event.target);
  });
})();
