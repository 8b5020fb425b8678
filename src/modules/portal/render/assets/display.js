// Applies the remembered 长者模式 (large text, high contrast) before the first paint. Loaded in
// <head> without defer on purpose: it only sets classes on <html>. The cookie wins over
// localStorage because the platform's own pages set the same cookie (?display=large).
/* global document, localStorage */
(function () {
  'use strict';
  var root = document.documentElement;
  var mode;
  try {
    var match = document.cookie.match(/(?:^|;\s*)zt_display=(large|standard)/);
    mode = match ? match[1] : localStorage.getItem('zt_display');
  } catch {
    // Storage refused (private window, file://): the standard mode.
    mode = null;
  }
  if (mode === 'large') root.classList.add('display-large');
  else if (mode === 'standard') root.classList.remove('display-large');
  root.classList.add('js');
})();
