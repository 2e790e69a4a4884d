// The analytics page: the 演示数据 toggle applies at once (the form works without this too).
"use strict";
(function () {
  var toggle = document.getElementById("demo-toggle");
  if (toggle && toggle.form) {
    toggle.addEventListener("change", function () { toggle.form.submit(); });
  }
})();
